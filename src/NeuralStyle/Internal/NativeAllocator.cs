using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace NeuralStyle.Internal;

/// <summary>
/// Keeps glibc's allocator from growing the process over a CPU run, and gives freed memory back when no run is active.
/// </summary>
/// <remarks>
/// <para>libtorch allocates every tensor with <c>posix_memalign</c>. glibc's thresholds are dynamic by default: a freed block
/// above the mmap threshold raises the threshold to its size, and the trim threshold follows at twice that. Over a CPU
/// run, which allocates and frees the same feature maps every iteration, the heap then grows and shrinks in turns and
/// resident memory climbs (at 682×512 on channels-last memory: 1.1 GB above the baseline after 300 iterations, and
/// slower iterations). Fixed thresholds — blocks up to 32 MiB from the heap, the heap never trimmed during a run — make
/// each iteration reuse the previous one's memory: resident memory is flat after the first iterations. Mapping large
/// blocks afresh instead costs a page fault per 4 KiB at every iteration, which made iterations 6 to 16 times slower
/// on the test machine. A run's thread is not the process's main thread, so its blocks come from one of glibc's per-thread
/// arenas, made of 64 MiB heaps; glibc unmaps such a heap whenever every block in it is free, whatever the trim threshold,
/// and the next iteration faults it in again. A top pad of a whole heap keeps the heaps mapped during a run.
/// <c>malloc_trim</c> gives the heap's free memory back once no optimisation has been active for
/// <see cref="TrimDelay"/>. See
/// docs/performance.md for the measurements.</para>
/// <para>Process-wide and applied once, at the first optimisation, only where glibc's allocator is present. Set the
/// environment variable <c>NEURALSTYLE_NATIVE_ALLOCATOR=system</c> to leave the allocator as the process configured it.</para>
/// </remarks>
internal static class NativeAllocator
{
    /// <summary>The environment variable that, set to <c>system</c>, leaves the allocator untouched.</summary>
    internal const string EnvironmentVariable = "NEURALSTYLE_NATIVE_ALLOCATOR";

    private const int TrimThresholdParameter = -1; // M_TRIM_THRESHOLD
    private const int TrimThreshold = 1 << 30;
    private const int MmapThresholdParameter = -3; // M_MMAP_THRESHOLD
    private const int MmapThreshold = 32 << 20; // glibc's largest (HEAP_MAX_SIZE / 2 on 64-bit)
    private const int TopPadParameter = -2; // M_TOP_PAD
    private const int TopPad = 64 << 20; // glibc's per-thread heap size on 64-bit (HEAP_MAX_SIZE)

    /// <summary>
    /// The pixels (batch × height × width) from which a CPU run calls <see cref="ReleaseUnreachableObjects"/> between every
    /// two iterations: 2^17, about 418×313. Below it every <see cref="SmallImageCollectionInterval"/>th iteration.
    /// </summary>
    internal const long CollectEveryIterationFromPixels = 1L << 17;

    /// <summary>
    /// How many iterations apart a run below <see cref="CollectEveryIterationFromPixels"/> collects: the collection takes
    /// about 0.6 ms, 3–4 % of a 256×192 iteration, while the heap such an image can fragment is small (127 MB above the
    /// baseline at its peak over 600 iterations without any collection, 111 MB with one every iteration).
    /// </summary>
    internal const int SmallImageCollectionInterval = 8;

    /// <summary>How long no run must be active before free heap memory is given back.</summary>
    internal static readonly TimeSpan TrimDelay = TimeSpan.FromSeconds(2);

    private static readonly Lazy<bool> Tuned = new(Tune, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Timer TrimTimer = new(_ => TrimIfIdle(), null, Timeout.Infinite, Timeout.Infinite);
    private static int _activeRuns;
    private static int _trims;
    private static string? _lastShape;

    /// <summary>Gets a value indicating whether the allocator was tuned in this process.</summary>
    internal static bool IsTuned => Tuned.IsValueCreated && Tuned.Value;

    /// <summary>Gets how many times free heap memory was given back (for tests).</summary>
    internal static int Trims => Volatile.Read(ref _trims);

    /// <summary>
    /// Marks the start of an optimisation: tunes the allocator the first time. A pending return of free memory is called
    /// off, so back-to-back optimisations of one size (the frames of a video, the tiles of a stage) keep their warm heap.
    /// </summary>
    /// <returns>A handle that marks the optimisation's end when disposed.</returns>
    /// <param name="shape">The shape of the image optimised: when it differs from the previous optimisation's and no other
    /// is active, the free heap is given back first, so that blocks of the old sizes do not fragment the new ones.</param>
    public static RunScope EnterRun(ReadOnlySpan<long> shape)
    {
        _ = Tuned.Value;
        var key = string.Join('x', shape.ToArray());
        var previous = Interlocked.Exchange(ref _lastShape, key);
        if (Interlocked.Increment(ref _activeRuns) == 1 && previous is not null && previous != key)
        {
            ReleaseFreeMemory();
        }

        TrimTimer.Change(Timeout.Infinite, Timeout.Infinite);
        return new RunScope();
    }

    private static void ExitRun()
    {
        if (Interlocked.Decrement(ref _activeRuns) == 0 && IsTuned)
        {
            TrimTimer.Change(TrimDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Gives the heap's free memory back to the system now (where glibc's allocator was tuned).</summary>
    internal static void ReleaseFreeMemory()
    {
        if (IsTuned)
        {
            _ = Glibc.malloc_trim(0);
            Interlocked.Increment(ref _trims);
        }
    }

    /// <summary>
    /// Whether a CPU run calls <see cref="ReleaseUnreachableObjects"/> before an iteration: before every one from
    /// <see cref="CollectEveryIterationFromPixels"/>, before every <see cref="SmallImageCollectionInterval"/>th below it.
    /// </summary>
    /// <param name="pixels">The image's pixels, batch × height × width.</param>
    /// <param name="iteration">The iteration about to start; the first (0) never collects.</param>
    /// <returns>Whether that iteration should be preceded by <see cref="ReleaseUnreachableObjects"/>.</returns>
    internal static bool CollectsBefore(long pixels, int iteration)
        => iteration > 0 && iteration % (pixels >= CollectEveryIterationFromPixels ? 1 : SmallImageCollectionInterval) == 0;

    /// <summary>
    /// Frees now the native memory of TorchSharp objects that are no longer reachable but not yet finalised (what
    /// TorchSharp's own code leaves to the garbage collector, such as the pinned arrays its shape queries return through). Called
    /// between the iterations of a CPU run: left to the garbage collector, these small blocks outlive the iteration that
    /// made them and sit scattered between the next iterations' feature maps, so the heap grows around them (see
    /// docs/performance.md). Safe beside other runs because the library leaves no scalar to a finalizer (see
    /// <see cref="OwnedScalars"/>): a finalizer cannot free a number that a native call is reading.
    /// </summary>
    internal static void ReleaseUnreachableObjects()
    {
        if (IsTuned)
        {
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
        }
    }

    private static void TrimIfIdle()
    {
        if (Volatile.Read(ref _activeRuns) == 0)
        {
            ReleaseFreeMemory();
        }
    }

    private static bool Tune()
    {
        if (!OperatingSystem.IsLinux()
            || string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "system", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            _ = Glibc.gnu_get_libc_version(); // absent under musl: not glibc's allocator
            return Glibc.mallopt(MmapThresholdParameter, MmapThreshold) == 1
                && Glibc.mallopt(TrimThresholdParameter, TrimThreshold) == 1
                && Glibc.mallopt(TopPadParameter, TopPad) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Marks the end of a run when disposed.</summary>
    internal readonly struct RunScope : IDisposable
    {
        /// <summary>Marks the end of the run.</summary>
        public void Dispose() => ExitRun();
    }

    private static class Glibc
    {
        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int mallopt(int parameter, int value);

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int malloc_trim(nuint pad);

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr gnu_get_libc_version();
    }
}
