using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace NeuralStyle.Internal;

/// <summary>Vector widths the library's own CPU kernels can use; the widest the CPU supports is chosen by default.</summary>
internal enum FmaLanes
{
    /// <summary>The widest the CPU supports.</summary>
    Widest,

    /// <summary>256-bit vectors (AVX2 with FMA).</summary>
    Bits256,

    /// <summary>512-bit vectors (AVX-512F).</summary>
    Bits512,
}

/// <summary>
/// What the library's own CPU kernels (the Gram matrices, the first convolution's input gradient) share: which vector
/// width to use, and when to use them at all. They split their work over libtorch's own OpenMP team
/// (<see cref="OpenMpTeam"/>): libtorch's worker threads spin for a while after each of its parallel operations, so a
/// second thread of ours found no free core during a step (measured on two cores; docs/performance.md), while a parallel
/// region of ours is work those workers take at once.
/// </summary>
internal static unsafe class FmaKernels
{
    /// <summary>Four consecutive vectors rectified (below zero gives 0) and stored from <paramref name="target"/> on: a tile's row of output channels.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void StoreRectified<TLanes, TVector>(float* target, TVector a, TVector b, TVector c, TVector d)
        where TLanes : struct, IFmaVectors<TVector>
        where TVector : struct
    {
        var n = TLanes.Count;
        TLanes.Store(TLanes.WherePositive(a, a), target);
        TLanes.Store(TLanes.WherePositive(b, b), target + n);
        TLanes.Store(TLanes.WherePositive(c, c), target + (2 * n));
        TLanes.Store(TLanes.WherePositive(d, d), target + (3 * n));
    }

    /// <summary>Four consecutive vectors stored from <paramref name="target"/> on: a tile's row of output channels.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Store<TLanes, TVector>(float* target, TVector a, TVector b, TVector c, TVector d)
        where TLanes : struct, IFmaVectors<TVector>
        where TVector : struct
    {
        var n = TLanes.Count;
        TLanes.Store(a, target);
        TLanes.Store(b, target + n);
        TLanes.Store(c, target + (2 * n));
        TLanes.Store(d, target + (3 * n));
    }

    /// <summary>
    /// Copies <paramref name="length"/> floats (whole vectors) of a gradient at a ReLU's output to <paramref name="destination"/>,
    /// masked as the ReLU passes them: 0 where the rectified output <paramref name="keys"/> is 0; as they are without keys
    /// (a gradient masked already, as <c>PoolGradient</c> leaves it when rectifying).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void CopyMasked<TLanes, TVector>(float* values, float* keys, long length, float* destination)
        where TLanes : struct, IFmaVectors<TVector>
        where TVector : struct
    {
        for (long i = 0; i < length; i += TLanes.Count)
        {
            var value = TLanes.Load(values + i);
            TLanes.Store(keys == null ? value : TLanes.WherePositive(TLanes.Load(keys + i), value), destination + i);
        }
    }

    /// <summary>
    /// The most libtorch threads for which the kernels are used: on two cores the Gram kernel beat libtorch's
    /// product on two threads by 25–40 % on one core and by 2.4–3× split over libtorch's team (docs/performance.md); with
    /// more threads libtorch's operations are left to use them.
    /// </summary>
    internal const int MaxLibtorchThreads = 2;

    /// <summary>A frozen weight's or bias's values in row-major order, for a kernel to pack.</summary>
    /// <param name="tensor">The tensor; it is neither changed nor disposed.</param>
    public static float[] Values(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous();
        using var accessor = contiguous.data<float>();
        return accessor.ToArray();
    }

    /// <summary>Gets a value indicating whether the CPU has a vector width the kernels can use.</summary>
    public static bool IsSupported => Vectors512.IsSupported || Vectors256.IsSupported;

    /// <summary>Gets a value indicating whether libtorch runs on few enough threads for the kernels to be used.</summary>
    public static bool FewLibtorchThreads => get_num_threads() <= MaxLibtorchThreads;

    /// <summary>
    /// Whether to use 512-bit vectors (<see langword="true"/>) or 256-bit ones (<see langword="false"/>) for
    /// <paramref name="lanes"/>; <see langword="null"/> where the CPU has neither.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">A width was asked for that the CPU does not have.</exception>
    public static bool? UseWide(FmaLanes lanes) => lanes switch
    {
        FmaLanes.Bits512 => Vectors512.IsSupported ? true : throw new PlatformNotSupportedException("AVX-512F is not available."),
        FmaLanes.Bits256 => Vectors256.IsSupported ? false : throw new PlatformNotSupportedException("AVX2 with FMA is not available."),
        _ when Vectors512.IsSupported => true,
        _ when Vectors256.IsSupported => false,
        _ => null,
    };
}

/// <summary>The vector operations the kernels need, for one vector width: the JIT compiles a kernel once per width.</summary>
/// <typeparam name="TVector">The vector type.</typeparam>
internal unsafe interface IFmaVectors<TVector>
    where TVector : struct
{
    /// <summary>Gets the number of floats in a vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads a vector.</summary>
    static abstract TVector Load(float* source);

    /// <summary>The lanes' maxima, a NaN in either lane giving NaN (as a max-pool propagates it).</summary>
    static abstract TVector Max(TVector a, TVector b);

    /// <summary>Stores a vector.</summary>
    static abstract void Store(TVector value, float* destination);

    /// <summary>A vector of one value.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary><c>a + b</c>.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary><c>a·b + addend</c>, rounded once.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    /// <summary>The lanes of <paramref name="value"/> where <paramref name="key"/> is above zero, zero elsewhere.</summary>
    static abstract TVector WherePositive(TVector key, TVector value);

    /// <summary>A mask of the lanes where <paramref name="a"/> equals <paramref name="b"/> and <paramref name="excluded"/> is not set.</summary>
    static abstract TVector EqualExcept(TVector a, TVector b, TVector excluded);

    /// <summary>The lanes set in either mask.</summary>
    static abstract TVector Or(TVector a, TVector b);

    /// <summary>The lanes of <paramref name="value"/> where <paramref name="mask"/> is set, zero elsewhere.</summary>
    static abstract TVector Where(TVector mask, TVector value);
}

/// <summary>AVX-512F.</summary>
internal readonly unsafe struct Vectors512 : IFmaVectors<Vector512<float>>
{
    /// <summary>Gets a value indicating whether the CPU has these vectors.</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <inheritdoc/>
    public static int Count => Vector512<float>.Count;

    /// <inheritdoc/>
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    /// <inheritdoc/>
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    /// <inheritdoc/>
    public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    /// <inheritdoc/>
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    /// <inheritdoc/>
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    /// <inheritdoc/>
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) => Avx512F.FusedMultiplyAdd(a, b, addend);

    /// <inheritdoc/>
    public static Vector512<float> WherePositive(Vector512<float> key, Vector512<float> value) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(key, Vector512<float>.Zero), value, Vector512<float>.Zero);

    /// <inheritdoc/>
    public static Vector512<float> EqualExcept(Vector512<float> a, Vector512<float> b, Vector512<float> excluded) =>
        Vector512.AndNot(Vector512.Equals(a, b), excluded);

    /// <inheritdoc/>
    public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;

    /// <inheritdoc/>
    public static Vector512<float> Where(Vector512<float> mask, Vector512<float> value) => value & mask;
}

/// <summary>AVX2 with FMA.</summary>
internal readonly unsafe struct Vectors256 : IFmaVectors<Vector256<float>>
{
    /// <summary>Gets a value indicating whether the CPU has these vectors.</summary>
    public static bool IsSupported => Fma.IsSupported && Avx2.IsSupported;

    /// <inheritdoc/>
    public static int Count => Vector256<float>.Count;

    /// <inheritdoc/>
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    /// <inheritdoc/>
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    /// <inheritdoc/>
    public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    /// <inheritdoc/>
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    /// <inheritdoc/>
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    /// <inheritdoc/>
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) => Fma.MultiplyAdd(a, b, addend);

    /// <inheritdoc/>
    public static Vector256<float> WherePositive(Vector256<float> key, Vector256<float> value) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(key, Vector256<float>.Zero), value, Vector256<float>.Zero);

    /// <inheritdoc/>
    public static Vector256<float> EqualExcept(Vector256<float> a, Vector256<float> b, Vector256<float> excluded) =>
        Vector256.AndNot(Vector256.Equals(a, b), excluded);

    /// <inheritdoc/>
    public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;

    /// <inheritdoc/>
    public static Vector256<float> Where(Vector256<float> mask, Vector256<float> value) => value & mask;
}
