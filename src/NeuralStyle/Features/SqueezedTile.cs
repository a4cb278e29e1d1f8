using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;

namespace NeuralStyle.Features;

/// <summary>
/// The sums a Fire module's kernels form for a tile of positions: for each position, the S-channel sum over a few segments
/// of channels (a segment per kernel tap, or one for a 1×1 convolution) of a value of that position's channel times a row
/// of S weights. The tile's sums stay in registers while the channels stream past: 16 accumulators of 16 lanes (16
/// positions of one vector or 8 of two) with AVX-512, 8 of 8 lanes (4 positions of two vectors or 2 of four) with AVX2.
/// <see cref="FireGradient"/> sums the gradient at the squeeze's output from the expands' gradients;
/// <see cref="FireForward"/> the squeeze itself.
/// </summary>
internal static unsafe class SqueezedTile
{
    /// <summary>The positions of a tile at most: how far past a row's last position a tile reads.</summary>
    public const int MaxPositions = 16;

    /// <summary>
    /// Runs <paramref name="kernel"/>'s tiles [<paramref name="first"/>, <paramref name="end"/>) (<see cref="TileRange"/>)
    /// with the tile shape for the vector width and S: 16 positions of one vector or 8 of two with AVX-512, 4 of two or 2 of
    /// four with AVX2 (<see cref="PositionsFor"/>).
    /// </summary>
    /// <param name="kernel">The kernel.</param>
    /// <param name="wide">Whether to use 512-bit vectors (<see cref="FmaKernels.UseWide"/>).</param>
    /// <param name="squeezed">S, 16 or 32.</param>
    /// <param name="first">The first of the kernel's tiles.</param>
    /// <param name="end">The tile after the last.</param>
    /// <param name="ring">The kernel's rows.</param>
    public static void Run<TKernel>(in TKernel kernel, bool wide, int squeezed, long first, long end, RowRing ring)
        where TKernel : struct, ISqueezedTiles
    {
        switch (wide, squeezed)
        {
            case (true, 16):
                kernel.Run<Vectors512, Vector512<float>, OneOf512>(first, end, ring);
                break;
            case (true, _):
                kernel.Run<Vectors512, Vector512<float>, TwoOf512>(first, end, ring);
                break;
            case (false, 16):
                kernel.Run<Vectors256, Vector256<float>, TwoOf256>(first, end, ring);
                break;
            default:
                kernel.Run<Vectors256, Vector256<float>, FourOf256>(first, end, ring);
                break;
        }
    }

    /// <summary>The positions of the tile <see cref="Run"/> chooses for the vector width and S.</summary>
    /// <param name="wide">Whether 512-bit vectors are used.</param>
    /// <param name="squeezed">S, 16 or 32.</param>
    public static int PositionsFor(bool wide, int squeezed) => (wide, squeezed) switch
    {
        (true, 16) => OneOf512.Positions,
        (true, _) => TwoOf512.Positions,
        (false, 16) => TwoOf256.Positions,
        _ => FourOf256.Positions,
    };

    /// <summary>
    /// Adds, for each of the tile's positions p and each segment, Σ_c values[p·stride + c] · weights[c·S .. c·S + S) over the
    /// segment's channels, and writes the positions' S sums one after the other to <paramref name="tile"/>.
    /// </summary>
    /// <param name="segments">The segments: where the first position's first channel is, the weights, the channels.</param>
    /// <param name="count">The segments.</param>
    /// <param name="stride">The floats from one position to the next.</param>
    /// <param name="squeezed">S, the sums per position.</param>
    /// <param name="tile">Where the sums go, <see cref="ISqueezedTile.Positions"/> × S floats.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sum<TLanes, TVector, TPer>(Segment* segments, int count, long stride, int squeezed, float* tile)
        where TLanes : struct, IFmaVectors<TVector>
        where TVector : struct
        where TPer : struct, ISqueezedTile
    {
        int n = TLanes.Count, v = TPer.Count, positions = TPer.Positions, accumulators = positions * v;
        // The positions' offsets, hoisted: the loop is bound by its instructions.
        long e = stride, e2 = 2 * e, e3 = 3 * e, e4 = 4 * e, e5 = 5 * e;
        long squeezedCount = squeezed, n2 = 2 * n, n3 = 3 * n;
        TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        TVector a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (var segment = 0; segment < count; segment++)
        {
            float* values = segments[segment].Values, w = segments[segment].Weights;
            var channels = segments[segment].Channels;

            // Three bases six positions apart, so that five offsets reach them all.
            float* later = values + (6 * e), last = values + (12 * e);
            for (var end = values + channels; values < end; values++, later++, last++, w += squeezedCount)
            {
                TVector w0 = TLanes.Load(w), w1 = v > 1 ? TLanes.Load(w + n) : w0;
                TVector w2 = v > 2 ? TLanes.Load(w + n2) : w0, w3 = v > 2 ? TLanes.Load(w + n3) : w0;
                TVector b0 = TLanes.Broadcast(values[0]), b1 = positions > 1 ? TLanes.Broadcast(values[e]) : b0;
                TVector b2 = positions > 2 ? TLanes.Broadcast(values[e2]) : b0, b3 = positions > 3 ? TLanes.Broadcast(values[e3]) : b0;
                TVector b4 = positions > 4 ? TLanes.Broadcast(values[e4]) : b0, b5 = positions > 5 ? TLanes.Broadcast(values[e5]) : b0;
                TVector b6 = positions > 6 ? TLanes.Broadcast(later[0]) : b0, b7 = positions > 7 ? TLanes.Broadcast(later[e]) : b0;
                TVector b8 = positions > 8 ? TLanes.Broadcast(later[e2]) : b0, b9 = positions > 9 ? TLanes.Broadcast(later[e3]) : b0;
                TVector b10 = positions > 10 ? TLanes.Broadcast(later[e4]) : b0, b11 = positions > 11 ? TLanes.Broadcast(later[e5]) : b0;
                TVector b12 = positions > 12 ? TLanes.Broadcast(last[0]) : b0, b13 = positions > 13 ? TLanes.Broadcast(last[e]) : b0;
                TVector b14 = positions > 14 ? TLanes.Broadcast(last[e2]) : b0, b15 = positions > 15 ? TLanes.Broadcast(last[e3]) : b0;
                a0 = TLanes.MultiplyAdd(Pick(0 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(0 % v, w0, w1, w2, w3), a0);
                a1 = TLanes.MultiplyAdd(Pick(1 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(1 % v, w0, w1, w2, w3), a1);
                a2 = TLanes.MultiplyAdd(Pick(2 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(2 % v, w0, w1, w2, w3), a2);
                a3 = TLanes.MultiplyAdd(Pick(3 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(3 % v, w0, w1, w2, w3), a3);
                a4 = TLanes.MultiplyAdd(Pick(4 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(4 % v, w0, w1, w2, w3), a4);
                a5 = TLanes.MultiplyAdd(Pick(5 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(5 % v, w0, w1, w2, w3), a5);
                a6 = TLanes.MultiplyAdd(Pick(6 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(6 % v, w0, w1, w2, w3), a6);
                a7 = TLanes.MultiplyAdd(Pick(7 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(7 % v, w0, w1, w2, w3), a7);
                a8 = accumulators > 8 ? TLanes.MultiplyAdd(Pick(8 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(8 % v, w0, w1, w2, w3), a8) : a8;
                a9 = accumulators > 9 ? TLanes.MultiplyAdd(Pick(9 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(9 % v, w0, w1, w2, w3), a9) : a9;
                a10 = accumulators > 10 ? TLanes.MultiplyAdd(Pick(10 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(10 % v, w0, w1, w2, w3), a10) : a10;
                a11 = accumulators > 11 ? TLanes.MultiplyAdd(Pick(11 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(11 % v, w0, w1, w2, w3), a11) : a11;
                a12 = accumulators > 12 ? TLanes.MultiplyAdd(Pick(12 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(12 % v, w0, w1, w2, w3), a12) : a12;
                a13 = accumulators > 13 ? TLanes.MultiplyAdd(Pick(13 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(13 % v, w0, w1, w2, w3), a13) : a13;
                a14 = accumulators > 14 ? TLanes.MultiplyAdd(Pick(14 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(14 % v, w0, w1, w2, w3), a14) : a14;
                a15 = accumulators > 15 ? TLanes.MultiplyAdd(Pick(15 / v, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15), Pick(15 % v, w0, w1, w2, w3), a15) : a15;
            }
        }

        // Accumulator k holds position k / v, values (k % v)·n onwards: in memory, simply the k-th vector.
        TLanes.Store(a0, tile);
        TLanes.Store(a1, tile + (1 * n));
        TLanes.Store(a2, tile + (2 * n));
        TLanes.Store(a3, tile + (3 * n));
        TLanes.Store(a4, tile + (4 * n));
        TLanes.Store(a5, tile + (5 * n));
        TLanes.Store(a6, tile + (6 * n));
        TLanes.Store(a7, tile + (7 * n));
        if (accumulators > 8)
        {
            TLanes.Store(a8, tile + (8 * n));
            TLanes.Store(a9, tile + (9 * n));
            TLanes.Store(a10, tile + (10 * n));
            TLanes.Store(a11, tile + (11 * n));
            TLanes.Store(a12, tile + (12 * n));
            TLanes.Store(a13, tile + (13 * n));
            TLanes.Store(a14, tile + (14 * n));
            TLanes.Store(a15, tile + (15 * n));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pick<TVector>(int index, TVector v0, TVector v1, TVector v2, TVector v3) => index switch
    {
        0 => v0,
        1 => v1,
        2 => v2,
        _ => v3,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pick<TVector>(
        int index, TVector v0, TVector v1, TVector v2, TVector v3, TVector v4, TVector v5, TVector v6, TVector v7,
        TVector v8, TVector v9, TVector v10, TVector v11, TVector v12, TVector v13, TVector v14, TVector v15) => index switch
    {
        0 => v0,
        1 => v1,
        2 => v2,
        3 => v3,
        4 => v4,
        5 => v5,
        6 => v6,
        7 => v7,
        8 => v8,
        9 => v9,
        10 => v10,
        11 => v11,
        12 => v12,
        13 => v13,
        14 => v14,
        _ => v15,
    };

    /// <summary>A run of channels of the tile's first position, with their rows of S weights.</summary>
    /// <param name="values">The first position's first channel.</param>
    /// <param name="weights">The first channel's S weights; the next channel's follow.</param>
    /// <param name="channels">The channels.</param>
    internal readonly struct Segment(float* values, float* weights, int channels)
    {
        /// <summary>Gets the first position's first channel.</summary>
        public float* Values { get; } = values;

        /// <summary>Gets the first channel's S weights.</summary>
        public float* Weights { get; } = weights;

        /// <summary>Gets the channels.</summary>
        public int Channels { get; } = channels;
    }

    /// <summary>AVX-512 with S = 16: 16 positions of one vector.</summary>
    internal readonly struct OneOf512 : ISqueezedTile
    {
        public static int Count => 1;

        public static int Positions => 16;
    }

    /// <summary>AVX-512 with S = 32: 8 positions of two vectors.</summary>
    internal readonly struct TwoOf512 : ISqueezedTile
    {
        public static int Count => 2;

        public static int Positions => 8;
    }

    /// <summary>AVX2 with S = 16: 4 positions of two vectors.</summary>
    internal readonly struct TwoOf256 : ISqueezedTile
    {
        public static int Count => 2;

        public static int Positions => 4;
    }

    /// <summary>AVX2 with S = 32: 2 positions of four vectors.</summary>
    internal readonly struct FourOf256 : ISqueezedTile
    {
        public static int Count => 4;

        public static int Positions => 2;
    }
}

/// <summary>A kernel whose tiles <see cref="SqueezedTile.Run"/> runs with the tile shape chosen for the CPU and S.</summary>
internal interface ISqueezedTiles
{
    /// <summary>Runs the tiles [<paramref name="first"/>, <paramref name="end"/>) of the kernel's map (<see cref="TileRange"/>).</summary>
    /// <param name="first">The first tile.</param>
    /// <param name="end">The tile after the last.</param>
    /// <param name="ring">The kernel's rows.</param>
    void Run<TLanes, TVector, TPer>(long first, long end, RowRing ring)
        where TLanes : struct, IFmaVectors<TVector>
        where TVector : struct
        where TPer : struct, ISqueezedTile;
}

/// <summary>The shape of a tile of <see cref="SqueezedTile"/>: vectors per position and positions.</summary>
internal interface ISqueezedTile
{
    /// <summary>Gets the vectors of one position's S sums.</summary>
    static abstract int Count { get; }

    /// <summary>Gets the positions of a tile: as many as fit 16 accumulators (of 32 registers) or 8 (of 16).</summary>
    static abstract int Positions { get; }
}
