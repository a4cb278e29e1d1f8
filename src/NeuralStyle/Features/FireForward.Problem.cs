using System;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;

namespace NeuralStyle.Features;

/// <content>The kernel's loops.</content>
internal static unsafe partial class FireForward
{
    /// <summary>The output channels of a tile: four vectors.</summary>
    private const int OutputVectors = 4;

    /// <summary>
    /// The positions of an expand's tile, and so of the tiles the work is split into (<see cref="TileRange"/>): 16
    /// accumulators of 32 registers with AVX-512 (4 positions), 8 of 16 with AVX2 (2 positions).
    /// </summary>
    /// <param name="wide">Whether 512-bit vectors are used.</param>
    internal static int ExpandPositions(bool wide) => wide ? 4 : 2;

    private readonly struct Problem(
        PackedFire weights, float* squeezeRows, float* squeezeBias, float* leftRows, float* rightRows, float* bias, float* input, float* output, float* squeezed, long height, long width)
        : ISqueezedTiles
    {
        private readonly int _inputs = weights.Inputs, _squeezed = weights.Squeezed, _left = weights.Left, _right = weights.Right, _expanded = weights.Expanded;

        /// <summary>Writes the output and the squeezed output at the tiles [<paramref name="first"/>, <paramref name="end"/>) (<see cref="ExpandPositions"/>).</summary>
        public void Run(bool wide, long first, long end)
        {
            // The squeezed rows (y − 1, y, y + 1) in turn, and a tile's input where a row ends before the tile does.
            using var ring = new RowRing(width, _squeezed, scratch: SqueezedTile.MaxPositions * (long)_inputs);
            SqueezedTile.Run(this, wide, _squeezed, first, end, ring);
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TLanes, TVector, TPer>(long first, long end, RowRing ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, ISqueezedTile
        {
            var tiles = new TileRange(width, ExpandPositions(TLanes.Count == 16), first, end);
            if (tiles.IsEmpty)
            {
                return;
            }

            // A row the range reaches into is squeezed whole, as are the rows above and below it.
            long top = tiles.FirstRow, bottom = tiles.EndRow;
            Squeeze<TLanes, TVector, TPer>(top - 1, tiles, ring);
            Squeeze<TLanes, TVector, TPer>(top, tiles, ring);
            for (var y = top; y < bottom; y++)
            {
                Squeeze<TLanes, TVector, TPer>(y + 1, tiles, ring);
                Expand<TLanes, TVector>(y, tiles.From(y), tiles.To(y), ring.Slot(y - 1), ring.Slot(y), ring.Slot(y + 1));
            }
        }

        /// <summary>
        /// Forms squeezed row <paramref name="y"/> into its slot of the ring (rows −1 and H are zeros), and into the squeezed
        /// output at the positions of the row that are this range's.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Squeeze<TLanes, TVector, TPer>(long y, TileRange tiles, RowRing ring)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
            where TPer : struct, ISqueezedTile
        {
            var row = ring.Open(y, height);
            if (row == null)
            {
                return;
            }

            long n = TLanes.Count, s = _squeezed, inputs = _inputs;
            var tile = stackalloc float[TPer.Positions * TPer.Count * TLanes.Count];
            var segment = stackalloc SqueezedTile.Segment[1];
            for (long x = 0; x < width; x += TPer.Positions)
            {
                var count = (int)Math.Min(TPer.Positions, width - x);
                var values = input + (((y * width) + x) * inputs);
                if (count < TPer.Positions)
                {
                    // The tile would read past the row (and, at the last row, past the input): its positions from a copy.
                    new Span<float>(values, (int)(count * inputs)).CopyTo(new Span<float>(ring.Scratch, (int)(count * inputs)));
                    values = ring.Scratch;
                }

                segment[0] = new SqueezedTile.Segment(values, squeezeRows, _inputs);
                SqueezedTile.Sum<TLanes, TVector, TPer>(segment, 1, inputs, _squeezed, tile);
                var target = row + (x * s);
                for (long i = 0; i < count * s; i += n)
                {
                    var sum = TLanes.Add(TLanes.Load(tile + i), TLanes.Load(squeezeBias + (i % s)));
                    TLanes.Store(TLanes.WherePositive(sum, sum), target + i);
                }
            }

            if (y >= tiles.FirstRow && y < tiles.EndRow)
            {
                long from = tiles.From(y), length = (tiles.To(y) - from) * s;
                new Span<float>(row + (from * s), (int)length).CopyTo(new Span<float>(squeezed + (((y * width) + from) * s), (int)length));
            }
        }

        /// <summary>Forms output row <paramref name="y"/> at the positions [<paramref name="from"/>, <paramref name="to"/>) from the squeezed rows above, at and below it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Expand<TLanes, TVector>(long y, long from, long to, float* above, float* here, float* below)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var positions = ExpandPositions(TLanes.Count == 16);
            long n = TLanes.Count, block = OutputVectors * n;
            var row = output + (y * width * _expanded);
            for (var x = from; x < to; x += positions)
            {
                var count = (int)Math.Min(positions, width - x);
                // The tile's first position in each squeezed row, past the zero at its start.
                var column = (x + 1) * _squeezed;
                for (long c = 0; c < _expanded; c += block)
                {
                    var target = row + (x * _expanded) + c;
                    if (c < _left)
                    {
                        Block<TLanes, TVector>(here + column, above + column, below + column, leftRows + c, _left, 1, bias + c, target, count);
                    }
                    else
                    {
                        Block<TLanes, TVector>(here + column, above + column, below + column, rightRows + (c - _left), _right, 9, bias + c, target, count);
                    }
                }
            }
        }

        /// <summary>
        /// Four vectors of output channels at a tile's positions: the bias plus, over the taps and squeezed channels, the
        /// squeezed value times the taps' weight rows; rectified and stored for <paramref name="count"/> positions.
        /// </summary>
        /// <param name="here">The first position's squeezed values.</param>
        /// <param name="above">The same column in the squeezed row above.</param>
        /// <param name="below">The same column in the squeezed row below.</param>
        /// <param name="rows">The first tap's first weight row, at the block's channels.</param>
        /// <param name="rowLength">The floats of a weight row (the expand's channels).</param>
        /// <param name="taps">1 (the centre alone) or 9.</param>
        /// <param name="blockBias">The block's biases.</param>
        /// <param name="target">The first position's output at the block's channels.</param>
        /// <param name="count">The positions to store.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Block<TLanes, TVector>(float* here, float* above, float* below, float* rows, long rowLength, int taps, float* blockBias, float* target, int count)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            long n = TLanes.Count, n2 = 2 * n, n3 = 3 * n, s = _squeezed, s2 = 2 * s, s3 = 3 * s, e = _expanded;
            var wide = TLanes.Count == 16;
            TVector b0 = TLanes.Load(blockBias), b1 = TLanes.Load(blockBias + n), b2 = TLanes.Load(blockBias + n2), b3 = TLanes.Load(blockBias + n3);
            TVector c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3;
            TVector c20 = b0, c21 = b1, c22 = b2, c23 = b3, c30 = b0, c31 = b1, c32 = b2, c33 = b3;
            for (var tap = 0; tap < taps; tap++)
            {
                // The centre alone for the 1×1 expand; the nine taps in row-major order for the 3×3, output (y, x) reading
                // squeezed (y + ky − 1, x + kx − 1).
                var values = taps == 1 ? here : Tap(tap, here, above, below);
                var w = rows + (tap * s * rowLength);
                for (long k = 0; k < s; k++, w += rowLength)
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
                    if (wide)
                    {
                        TVector v2 = TLanes.Broadcast(values[k + s2]), v3 = TLanes.Broadcast(values[k + s3]);
                        c20 = TLanes.MultiplyAdd(v2, w0, c20);
                        c21 = TLanes.MultiplyAdd(v2, w1, c21);
                        c22 = TLanes.MultiplyAdd(v2, w2, c22);
                        c23 = TLanes.MultiplyAdd(v2, w3, c23);
                        c30 = TLanes.MultiplyAdd(v3, w0, c30);
                        c31 = TLanes.MultiplyAdd(v3, w1, c31);
                        c32 = TLanes.MultiplyAdd(v3, w2, c32);
                        c33 = TLanes.MultiplyAdd(v3, w3, c33);
                    }
                }
            }

            FmaKernels.StoreRectified<TLanes, TVector>(target, c00, c01, c02, c03);
            if (count > 1)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + e, c10, c11, c12, c13);
            }

            if (count > 2)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + (2 * e), c20, c21, c22, c23);
            }

            if (count > 3)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + (3 * e), c30, c31, c32, c33);
            }
        }

        /// <summary>Where tap (ky, kx) of the 3×3 expand reads the squeezed values for the tile's first position.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private float* Tap(int tap, float* here, float* above, float* below)
        {
            var offset = ((tap % 3) - 1) * (long)_squeezed;
            return (tap < 3 ? above : tap < 6 ? here : below) + offset;
        }
    }
}
