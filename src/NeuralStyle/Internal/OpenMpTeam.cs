using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace NeuralStyle.Internal;

/// <summary>
/// Runs the parts of a kernel of ours on libtorch's own OpenMP team: the calling thread and the worker threads libgomp
/// keeps for it, through libgomp's entry point for a parallel region (<c>GOMP_parallel</c>), as libtorch's own parallel
/// operations do. Between libtorch's operations those workers spin, waiting for the next region, so a thread of ours
/// would find their cores busy; a region of ours is work they take at once.
/// </summary>
/// <remarks>
/// Found where libtorch loaded libgomp (Linux, the path in <c>/proc/self/maps</c>, <see cref="ChooseLibgomp"/>);
/// elsewhere <see cref="IsAvailable"/> is false and callers run their parts on the calling thread.
/// </remarks>
internal static unsafe class OpenMpTeam
{
    private static readonly Lazy<Entries> Libgomp = new(FindEntries, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets a value indicating whether libtorch's libgomp was found, so that <see cref="Run"/> uses its team.</summary>
    public static bool IsAvailable => Libgomp.Value.Parallel != IntPtr.Zero;

    /// <summary>The values (elements, or positions × channels) from which a kernel's work is split over libtorch's threads.</summary>
    internal const long SplitFromValues = 1 << 16;

    /// <summary>The parts for a kernel over <paramref name="values"/> values: libtorch's thread count from <see cref="SplitFromValues"/>, else 1.</summary>
    /// <param name="values">The values the kernel reads or writes.</param>
    public static int PartsFor(long values) => values >= SplitFromValues ? TorchSharp.torch.get_num_threads() : 1;

    /// <summary>
    /// Calls <paramref name="body"/> once for each part 0..<paramref name="parts"/>−1 with <paramref name="state"/>, on up
    /// to <paramref name="parts"/> threads of the team (at most libtorch's thread count on the calling thread), and returns
    /// when every part is done; on the calling thread alone where the team is not available or one thread is to be used.
    /// An exception of a part is thrown here after all parts end.
    /// </summary>
    /// <param name="parts">The parts (the team's threads to use).</param>
    /// <param name="body">The work of one part; it must not call libtorch.</param>
    /// <param name="state">What the parts share, alive until this returns.</param>
    public static void Run(int parts, delegate*<int, void*, void> body, void* state)
    {
        var threads = Math.Min(parts, TorchSharp.torch.get_num_threads());
        var entries = threads > 1 ? Libgomp.Value : default;
        if (entries.Parallel == IntPtr.Zero)
        {
            for (var part = 0; part < parts; part++)
            {
                body(part, state);
            }

            return;
        }

        var job = new Job { Body = body, State = state, Parts = parts, Threads = threads, ThreadNumber = entries.ThreadNumber };
        // Thread t of the region takes part t, then parts from `threads` on until none is left.
        ((delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)entries.Parallel)(&Work, &job, (uint)threads, 0);
        if (job.Error != IntPtr.Zero)
        {
            var handle = GCHandle.FromIntPtr(job.Error);
            var error = (Exception)handle.Target!;
            handle.Free();
            ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    /// <summary>
    /// Calls <paramref name="body"/> over [0, <paramref name="length"/>) cut into <paramref name="parts"/> ranges of about
    /// equal length, each starting at a multiple of <paramref name="multiple"/> (the last ends at
    /// <paramref name="length"/>), on the team as <see cref="Run"/> does.
    /// </summary>
    /// <param name="length">The elements, rows or vectors to cover.</param>
    /// <param name="parts">The ranges.</param>
    /// <param name="multiple">What every range but the last is a whole number of (a vector's lanes; 1 for any).</param>
    /// <param name="body">The work of the range [first, end); it must not call libtorch.</param>
    /// <param name="state">What the ranges share, alive until this returns.</param>
    public static void RunRanges(long length, int parts, int multiple, delegate*<long, long, void*, void> body, void* state)
    {
        var count = Math.Max(1, parts);
        var bounds = stackalloc long[count + 1];
        Cut(length, count, multiple, bounds);
        var job = new Ranges { Body = body, State = state, Bounds = bounds };
        Run(count, &RunRange, &job);
    }

    /// <summary>
    /// Calls <paramref name="body"/> over the rows [0, <paramref name="rows"/>) in up to <paramref name="bands"/> bands on
    /// the team (at most one band per two rows), for work in which a row writes memory the row above writes too (a 3×3
    /// window of stride 2 shares an input row with its neighbour): each band but the first leaves its first row, and the
    /// calling thread runs those rows after the bands, so no two threads write the same memory at once.
    /// </summary>
    /// <param name="rows">The rows.</param>
    /// <param name="bands">The bands asked for.</param>
    /// <param name="body">The work of the rows [first, end); it must not call libtorch.</param>
    /// <param name="state">What the bands share, alive until this returns.</param>
    public static void RunRowBands(long rows, int bands, delegate*<long, long, void*, void> body, void* state)
    {
        var count = (int)Math.Clamp(bands, 1, Math.Max(1, rows / 2));
        var bounds = stackalloc long[count + 1];
        Cut(rows, count, 1, bounds);
        var job = new Ranges { Body = body, State = state, Bounds = bounds, LeaveFirstRows = true };
        Run(count, &RunRange, &job);
        for (var k = 1; k < count; k++)
        {
            body(bounds[k], bounds[k] + 1, state);
        }
    }

    // bounds[k] = length·k/count rounded down to a multiple, for k < count; bounds[count] = length.
    private static void Cut(long length, int count, int multiple, long* bounds)
    {
        for (var k = 0; k < count; k++)
        {
            bounds[k] = length * k / count / multiple * multiple;
        }

        bounds[count] = length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRange(int part, void* data)
    {
        var job = (Ranges*)data;
        job->Body(job->Bounds[part] + (job->LeaveFirstRows && part > 0 ? 1 : 0), job->Bounds[part + 1], job->State);
    }

    [UnmanagedCallersOnly]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Work(void* data)
    {
        var job = (Job*)data;
        // Part t on team thread t: the same rows on the same core in every region, so a layer reads what the core wrote
        // in the layer before from its own cache.
        var own = job->ThreadNumber();
        if (own >= 0 && own < job->Threads && own < job->Parts)
        {
            Do(job, own);
        }

        int part;
        while ((part = Interlocked.Increment(ref job->Next) - 1 + job->Threads) < job->Parts)
        {
            Do(job, part);
        }
    }

    private static void Do(Job* job, int part)
    {
        try
        {
            job->Body(part, job->State);
        }
        catch (Exception ex)
        {
            var handle = GCHandle.Alloc(ex);
            if (Interlocked.CompareExchange(ref job->Error, GCHandle.ToIntPtr(handle), IntPtr.Zero) != IntPtr.Zero)
            {
                handle.Free();
            }
        }
    }

    private static Entries FindEntries()
    {
        if (!OperatingSystem.IsLinux())
        {
            return default;
        }

        try
        {
            // Asked for after libtorch is loaded, so that its libgomp is mapped.
            _ = TorchSharp.torch.get_num_threads();
            var mapped = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length == 6)
                .Select(fields => fields[5].Trim());
            return ChooseLibgomp(mapped) is { } path && NativeLibrary.TryLoad(path, out var library)
                && NativeLibrary.TryGetExport(library, "GOMP_parallel", out var parallel)
                && NativeLibrary.TryGetExport(library, "omp_get_thread_num", out var threadNumber)
                ? new Entries(parallel, (delegate* unmanaged<int>)threadNumber) : default;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>
    /// The libgomp libtorch uses among the files mapped into the process: the one beside <c>libtorch_cpu</c> (the package
    /// ships its own, <c>libgomp-&lt;hash&gt;.so.1</c>), else the only one mapped; null where neither is found.
    /// </summary>
    /// <param name="mappedPaths">The paths of the files mapped into the process.</param>
    internal static string? ChooseLibgomp(IEnumerable<string> mappedPaths)
    {
        var paths = mappedPaths.Where(p => p.StartsWith('/')).Distinct(StringComparer.Ordinal).ToArray();
        var candidates = paths.Where(p => Path.GetFileName(p).StartsWith("libgomp", StringComparison.Ordinal)).ToArray();
        var torch = paths.FirstOrDefault(p => Path.GetFileName(p).StartsWith("libtorch_cpu", StringComparison.Ordinal));
        var beside = torch is null ? null : candidates.FirstOrDefault(p => Path.GetDirectoryName(p) == Path.GetDirectoryName(torch));
        return beside ?? (candidates.Length == 1 ? candidates[0] : null);
    }

    private struct Ranges
    {
        public delegate*<long, long, void*, void> Body;
        public void* State;
        public long* Bounds;
        public bool LeaveFirstRows;
    }

    // libgomp's entry points: the parallel region's, and the calling thread's number in its team.
    private readonly struct Entries(IntPtr parallel, delegate* unmanaged<int> threadNumber)
    {
        public IntPtr Parallel { get; } = parallel;

        public delegate* unmanaged<int> ThreadNumber { get; } = threadNumber;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Job
    {
        public delegate*<int, void*, void> Body;
        public void* State;
        public int Parts;
        public int Threads;
        public delegate* unmanaged<int> ThreadNumber;
        public int Next;
        public IntPtr Error;
    }
}
