using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <content>The kernel's loops.</content>
internal static unsafe partial class FireGradient
{
    private readonly struct Problem(
        PackedFire weights, float* center, float* taps, float* squeeze, float* gradient, float* output, float* squeezed, float* input, long height, long width, bool accumulate)
    {
        private readonly int _inputs = weights.Inputs, _squeezed = weights.Squeezed, _left = weights.Left, _right = weights.Right, _expanded = weights.Expanded;

        /// <summary>Gets the floats of a masked row with its zero ends (the 3×3 expand's padding).</summary>
        private long RowLength => (width + 2) * _expanded;

        /// <summary>Writes (or adds) the input's gradient at the rows [<paramref name="first"/>, <paramref name="end"/>).</summary>
        public void Run(bool wide, long first, long end)
        {
            // Three masked rows (y − 1, y, y + 1) in turn, and a tile's overrun past the last: a few hundred KB at most, in cache.
            var ringLength = (3 * RowLength) + (MaxTilePositions * _expanded);
            var ring = (float*)NativeMemory.AlignedAlloc((nuint)(ringLength * sizeof(float)), 64);
            try
            {
                new Span<float>(ring + (3 * RowLength), MaxTilePositions * _expanded).Clear();
                switch (wide, _squeezed)
                {
                    case (true, 16):
                        Run<Vectors512, Vector512<float>, OneOf512>(first, end, ring);
                        break;
                    case (true, _):
                        Run<Vectors512, Vector512<float>, TwoOf512>(first, end, ring);
                        break;
                    case (false, 16):
                        Run<Vectors256, Vector256<float>, TwoOf256>(first, end, ring);
                        break;
                    default:
                        Run<Vectors256, Vector256<float>, FourOf256>(first, end, ring);
                        break;
                }
            }
            finally
            {
                NativeMemory.AlignedFree(ring);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Run<TLanes, TVector, TPer>(long first, long end, float* ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, IPerPosition
        {
            var tilePositions = TPer.Positions;
            var tile = stackalloc float[TPer.Positions * TPer.Count * TLanes.Count];
            Mask<TLanes, TVector>(first - 1, ring);
            Mask<TLanes, TVector>(first, ring);
            for (var y = first; y < end; y++)
            {
                Mask<TLanes, TVector>(y + 1, ring);
                float* above = Slot(y - 1, ring), here = Slot(y, ring), below = Slot(y + 1, ring);
                for (long x = 0; x < width; x += tilePositions)
                {
                    // The first position's column in a masked row, past the zero at its start.
                    var column = (x + 1) * _expanded;
                    Tile<TLanes, TVector, TPer>(above + column, here + column, below + column, tile);
                    var count = (int)Math.Min(tilePositions, width - x);
                    var position = (y * width) + x;
                    Inputs<TLanes, TVector, TPer>(tile, count, squeezed + (position * _squeezed), input + (position * _inputs));
                }
            }
        }

        /// <summary>Where row <paramref name="y"/> (−1 to H) is masked: one of the ring's three slots.</summary>
        private float* Slot(long y, float* ring) => ring + (((y + 1) % 3) * RowLength);

        /// <summary>Masks row <paramref name="y"/> of the gradient into its slot, with zero ends; rows −1 and H are zeros.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Mask<TLanes, TVector>(long y, float* ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var target = Slot(y, ring);
            if (y < 0 || y >= height)
            {
                new Span<float>(target, (int)RowLength).Clear();
                return;
            }

            var length = width * _expanded;
            new Span<float>(target, _expanded).Clear();
            target += _expanded;
            float* values = gradient + (y * length), keys = output + (y * length);
            for (long i = 0; i < length; i += TLanes.Count)
            {
                TLanes.Store(TLanes.WherePositive(TLanes.Load(keys + i), TLanes.Load(values + i)), target + i);
            }

            new Span<float>(target + length, _expanded).Clear();
        }

        /// <summary>
        /// The squeezed gradient (unmasked) at the tile's positions, from the masked gradient around them: the centre tap
        /// over every expand channel, then the other 8 taps over the 3×3's channels.
        /// </summary>
        /// <param name="above">The first position's column in the masked row above.</param>
        /// <param name="here">The first position's masked gradient.</param>
        /// <param name="below">The first position's column in the masked row below.</param>
        /// <param name="tile">Where to write the positions' S values each.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile<TLanes, TVector, TPer>(float* above, float* here, float* below, float* tile)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, IPerPosition
        {
            int n = TLanes.Count, v = TPer.Count, positions = TPer.Positions, accumulators = positions * v;
            // The positions' offsets, hoisted (the loop is bound by its instructions), from two bases six positions apart.
            long e = _expanded, e2 = 2 * e, e3 = 3 * e, e4 = 4 * e, e5 = 5 * e;
            long squeezedCount = _squeezed, n2 = 2 * n, n3 = 3 * n;
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            TVector a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            for (var tap = -1; tap < 8; tap++)
            {
                float* values = here, w = center;
                var channels = _expanded;
                if (tap >= 0)
                {
                    // Taps in row-major order without the centre; the gradient at (y, x) reads position (y + 1 − ky, x + 1 − kx).
                    var k = tap < 4 ? tap : tap + 1;
                    values = (k < 3 ? below : k < 6 ? here : above) + ((1 - (k % 3)) * e) + _left;
                    w = taps + (tap * _right * squeezedCount);
                    channels = _right;
                }

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


        /// <summary>
        /// Masks the tile's squeezed gradients where the squeeze's output is 0 and writes (or adds) their products with the
        /// squeeze's weights at the tile's <paramref name="count"/> positions, two at a time (a weight vector serves both).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Inputs<TLanes, TVector, TPer>(float* tile, int count, float* squeezedAt, float* target)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, IPerPosition
        {
            long n = TLanes.Count, n2 = 2 * n, n3 = 3 * n, inputs = _inputs, s = _squeezed;
            for (long i = 0; i < count * s; i += n)
            {
                TLanes.Store(TLanes.WherePositive(TLanes.Load(squeezedAt + i), TLanes.Load(tile + i)), tile + i);
            }

            for (var p = 0; p < count; p += 2)
            {
                // An odd last position is paired with itself, its sums written twice.
                float* first = tile + (p * s), second = p + 1 < count ? first + s : first;
                float* t = target + (p * inputs), u = p + 1 < count ? t + inputs : t;
                for (long block = 0; block < inputs; block += InputVectors * n, t += InputVectors * n, u += InputVectors * n)
                {
                    TVector c0 = accumulate ? TLanes.Load(t) : default, c1 = accumulate ? TLanes.Load(t + n) : default;
                    TVector c2 = accumulate ? TLanes.Load(t + n2) : default, c3 = accumulate ? TLanes.Load(t + n3) : default;
                    TVector d0 = accumulate ? TLanes.Load(u) : default, d1 = accumulate ? TLanes.Load(u + n) : default;
                    TVector d2 = accumulate ? TLanes.Load(u + n2) : default, d3 = accumulate ? TLanes.Load(u + n3) : default;
                    var w = squeeze + block;
                    for (long k = 0; k < s; k++, w += inputs)
                    {
                        TVector w0 = TLanes.Load(w), w1 = TLanes.Load(w + n), w2 = TLanes.Load(w + n2), w3 = TLanes.Load(w + n3);
                        TVector a = TLanes.Broadcast(first[k]), b = TLanes.Broadcast(second[k]);
                        c0 = TLanes.MultiplyAdd(a, w0, c0);
                        c1 = TLanes.MultiplyAdd(a, w1, c1);
                        c2 = TLanes.MultiplyAdd(a, w2, c2);
                        c3 = TLanes.MultiplyAdd(a, w3, c3);
                        d0 = TLanes.MultiplyAdd(b, w0, d0);
                        d1 = TLanes.MultiplyAdd(b, w1, d1);
                        d2 = TLanes.MultiplyAdd(b, w2, d2);
                        d3 = TLanes.MultiplyAdd(b, w3, d3);
                    }

                    TLanes.Store(d0, u);
                    TLanes.Store(d1, u + n);
                    TLanes.Store(d2, u + n2);
                    TLanes.Store(d3, u + n3);
                    TLanes.Store(c0, t);
                    TLanes.Store(c1, t + n);
                    TLanes.Store(c2, t + n2);
                    TLanes.Store(c3, t + n3);
                }
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
    }
}
