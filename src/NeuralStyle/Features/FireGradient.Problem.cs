using System;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;

namespace NeuralStyle.Features;

/// <content>The kernel's loops.</content>
internal static unsafe partial class FireGradient
{
    private readonly struct Problem(
        PackedFire weights, float* center, float* taps, float* squeeze, float* gradient, float* output, float* squeezed, float* input, long height, long width, bool accumulate)
        : ISqueezedTiles
    {
        private readonly int _inputs = weights.Inputs, _squeezed = weights.Squeezed, _left = weights.Left, _right = weights.Right, _expanded = weights.Expanded;

        /// <summary>Writes (or adds) the input's gradient at the tiles [<paramref name="first"/>, <paramref name="end"/>) (<see cref="SqueezedTile.PositionsFor"/>).</summary>
        public void Run(bool wide, long first, long end)
        {
            // The masked gradient's rows (y − 1, y, y + 1) in turn.
            using var ring = new RowRing(width, _expanded, scratch: 0);
            SqueezedTile.Run(this, wide, _squeezed, first, end, ring);
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TLanes, TVector, TPer>(long first, long end, RowRing ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, ISqueezedTile
        {
            var tilePositions = TPer.Positions;
            var tiles = new TileRange(width, tilePositions, first, end);
            if (tiles.IsEmpty)
            {
                return;
            }

            // A row the range reaches into is masked whole, as are the rows above and below it.
            var tile = stackalloc float[TPer.Positions * TPer.Count * TLanes.Count];
            long top = tiles.FirstRow, bottom = tiles.EndRow;
            Mask<TLanes, TVector>(top - 1, ring);
            Mask<TLanes, TVector>(top, ring);
            for (var y = top; y < bottom; y++)
            {
                Mask<TLanes, TVector>(y + 1, ring);
                float* above = ring.Slot(y - 1), here = ring.Slot(y), below = ring.Slot(y + 1);
                for (long x = tiles.From(y), to = tiles.To(y); x < to; x += tilePositions)
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

        /// <summary>Masks row <paramref name="y"/> of the gradient into its slot of the ring (rows −1 and H are zeros); copies it where it is masked already.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Mask<TLanes, TVector>(long y, RowRing ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var target = ring.Open(y, height);
            if (target == null)
            {
                return;
            }

            // Without the output, the gradient is masked already: copied into the ring as it is.
            var length = width * _expanded;
            FmaKernels.CopyMasked<TLanes, TVector>(gradient + (y * length), output == null ? null : output + (y * length), length, target);
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
            where TPer : struct, ISqueezedTile
        {
            var segments = stackalloc SqueezedTile.Segment[9];
            segments[0] = new SqueezedTile.Segment(here, center, _expanded);
            for (var tap = 0; tap < 8; tap++)
            {
                // Taps in row-major order without the centre; the gradient at (y, x) reads position (y + 1 − ky, x + 1 − kx).
                var k = tap < 4 ? tap : tap + 1;
                var row = k < 3 ? below : k < 6 ? here : above;
                segments[tap + 1] = new SqueezedTile.Segment(row + ((1 - (k % 3)) * _expanded) + _left, taps + (tap * _right * _squeezed), _right);
            }

            SqueezedTile.Sum<TLanes, TVector, TPer>(segments, 9, _expanded, _squeezed, tile);
        }

        /// <summary>
        /// Masks the tile's squeezed gradients where the squeeze's output is 0 and writes (or adds) their products with the
        /// squeeze's weights at the tile's <paramref name="count"/> positions, two at a time (a weight vector serves both).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Inputs<TLanes, TVector, TPer>(float* tile, int count, float* squeezedAt, float* target)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, ISqueezedTile
        {
            long n = TLanes.Count, n2 = 2 * n, n3 = 3 * n, inputs = _inputs, s = _squeezed;
            for (long i = 0; i < count * s; i += n)
            {
                TLanes.Store(TLanes.WherePositive(TLanes.Load(squeezedAt + i), TLanes.Load(tile + i)), tile + i);
            }

            var p = 0;
            if (TLanes.Count == 16)
            {
                // With 32 vector registers, four positions at a time: a weight vector serves four products.
                for (; p + 4 <= count; p += 4)
                {
                    QuadInputs<TLanes, TVector>(tile + (p * s), target + (p * inputs));
                }
            }

            for (; p < count; p += 2)
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

                    FmaKernels.Store<TLanes, TVector>(u, d0, d1, d2, d3);
                    FmaKernels.Store<TLanes, TVector>(t, c0, c1, c2, c3);
                }
            }
        }

        /// <summary>
        /// The input's gradient at four consecutive positions from their masked squeezed gradients (S values each, in
        /// <paramref name="values"/>): four vectors of input channels at a time, 16 accumulators; each sum over the
        /// squeezed channels in the same order as the two-position loop's.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void QuadInputs<TLanes, TVector>(float* values, float* target)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            long n = TLanes.Count, n2 = 2 * n, n3 = 3 * n, inputs = _inputs, s = _squeezed;
            float* t0 = target, t1 = target + inputs, t2 = target + (2 * inputs), t3 = target + (3 * inputs);
            for (long block = 0; block < inputs; block += InputVectors * n)
            {
                float* a0 = t0 + block, a1 = t1 + block, a2 = t2 + block, a3 = t3 + block;
                TVector c00 = accumulate ? TLanes.Load(a0) : default, c01 = accumulate ? TLanes.Load(a0 + n) : default;
                TVector c02 = accumulate ? TLanes.Load(a0 + n2) : default, c03 = accumulate ? TLanes.Load(a0 + n3) : default;
                TVector c10 = accumulate ? TLanes.Load(a1) : default, c11 = accumulate ? TLanes.Load(a1 + n) : default;
                TVector c12 = accumulate ? TLanes.Load(a1 + n2) : default, c13 = accumulate ? TLanes.Load(a1 + n3) : default;
                TVector c20 = accumulate ? TLanes.Load(a2) : default, c21 = accumulate ? TLanes.Load(a2 + n) : default;
                TVector c22 = accumulate ? TLanes.Load(a2 + n2) : default, c23 = accumulate ? TLanes.Load(a2 + n3) : default;
                TVector c30 = accumulate ? TLanes.Load(a3) : default, c31 = accumulate ? TLanes.Load(a3 + n) : default;
                TVector c32 = accumulate ? TLanes.Load(a3 + n2) : default, c33 = accumulate ? TLanes.Load(a3 + n3) : default;
                var w = squeeze + block;
                for (long k = 0; k < s; k++, w += inputs)
                {
                    TVector w0 = TLanes.Load(w), w1 = TLanes.Load(w + n), w2 = TLanes.Load(w + n2), w3 = TLanes.Load(w + n3);
                    TVector v0 = TLanes.Broadcast(values[k]), v1 = TLanes.Broadcast(values[k + s]);
                    c00 = TLanes.MultiplyAdd(v0, w0, c00);
                    c01 = TLanes.MultiplyAdd(v0, w1, c01);
                    c02 = TLanes.MultiplyAdd(v0, w2, c02);
                    c03 = TLanes.MultiplyAdd(v0, w3, c03);
                    c10 = TLanes.MultiplyAdd(v1, w0, c10);
                    c11 = TLanes.MultiplyAdd(v1, w1, c11);
                    c12 = TLanes.MultiplyAdd(v1, w2, c12);
                    c13 = TLanes.MultiplyAdd(v1, w3, c13);
                    TVector v2 = TLanes.Broadcast(values[k + (2 * s)]), v3 = TLanes.Broadcast(values[k + (3 * s)]);
                    c20 = TLanes.MultiplyAdd(v2, w0, c20);
                    c21 = TLanes.MultiplyAdd(v2, w1, c21);
                    c22 = TLanes.MultiplyAdd(v2, w2, c22);
                    c23 = TLanes.MultiplyAdd(v2, w3, c23);
                    c30 = TLanes.MultiplyAdd(v3, w0, c30);
                    c31 = TLanes.MultiplyAdd(v3, w1, c31);
                    c32 = TLanes.MultiplyAdd(v3, w2, c32);
                    c33 = TLanes.MultiplyAdd(v3, w3, c33);
                }

                FmaKernels.Store<TLanes, TVector>(a0, c00, c01, c02, c03);
                FmaKernels.Store<TLanes, TVector>(a1, c10, c11, c12, c13);
                FmaKernels.Store<TLanes, TVector>(a2, c20, c21, c22, c23);
                FmaKernels.Store<TLanes, TVector>(a3, c30, c31, c32, c33);
            }
        }
    }
}
