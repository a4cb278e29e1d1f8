using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// <c>F Fᵀ</c> of one channels-last float32 feature map on the CPU, computed with the CPU's fused multiply-add vectors
/// (AVX-512 or AVX2 with FMA): only the tiles on and above the diagonal are computed, since the matrix is symmetric, and
/// the rest is mirrored. The BLAS product computes every element, and libtorch's BLAS runs AVX2 kernels on AMD CPUs that
/// have AVX-512; measurements are in docs/performance.md.
/// </summary>
/// <remarks>
/// F is read where the feature map lies: channels-last memory is the positions × channels matrix, row by row. A tile is
/// 4 rows of G by 4 vectors of columns, held in 16 vector registers while up to 128 positions stream past, then added to
/// G (a sum of short sums, as accurate as the BLAS product's); the positions are taken in blocks of about 256 KB of F,
/// which every tile reads while the block is in the core's cache.
/// Its bands of tile rows run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains.
/// </remarks>
internal static unsafe class SymmetricGram
{
    private const int TileRows = 4;
    private const int TileVectors = 4;
    private const long BlockBytes = 256 << 10;

    /// <summary>The positions summed in registers before the sum is added to G.</summary>
    private const int Chunk = 128;

    /// <summary>The multiply-adds (about C²·P/2) from which the product is split over libtorch's threads.</summary>
    internal const long SplitFromMultiplyAdds = 1 << 20;

    /// <summary>
    /// <c>F Fᵀ</c>, <c>[1,C,C]</c>, for <paramref name="flat"/>, a <c>[1,C,P]</c> view of a channels-last float32 CPU feature
    /// map that autograd does not record; or <see langword="null"/> where the kernel does not apply (another device, type,
    /// layout or batch, a channel count that is not a multiple of the tile's width, no usable vector width, more than
    /// <see cref="FmaKernels.MaxLibtorchThreads"/> libtorch threads), so that the caller uses the BLAS product.
    /// </summary>
    /// <param name="flat">The feature map as <c>[1,C,P]</c>.</param>
    /// <param name="lanes">The vector width.</param>
    /// <param name="parts">
    /// The parts the work is split into, run on libtorch's OpenMP team (<see cref="OpenMpTeam"/>); null for libtorch's
    /// thread count where the product is large enough to repay the split (<see cref="SplitFromMultiplyAdds"/>). The result
    /// is the same, bit for bit, however it is split: each element is summed by one part in the same order.
    /// </param>
    public static Tensor? TryCompute(Tensor flat, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        if (flat.device_type != DeviceType.CPU || flat.dtype != ScalarType.Float32 || flat.dim() != 3 || flat.size(0) != 1
            || (flat.requires_grad && is_grad_enabled()) || !FmaKernels.FewLibtorchThreads)
        {
            return null;
        }

        long channels = flat.size(1), positions = flat.size(2);
        // Both F's and G's bytes are read as spans, whose length is an int.
        if (channels < 1 || (positions > 1 && flat.stride(2) != channels) || (channels > 1 && flat.stride(1) != 1)
            || (channels * Math.Max(positions, channels) * sizeof(float)) > int.MaxValue)
        {
            return null;
        }

        if (FmaKernels.UseWide(lanes) is not { } wide)
        {
            return null;
        }

        var tileColumns = TileVectors * (wide ? Vector512<float>.Count : Vector256<float>.Count);
        if (channels % tileColumns != 0)
        {
            return null;
        }

        var split = parts ?? (channels * channels * positions / 2 >= SplitFromMultiplyAdds ? get_num_threads() : 1);
        split = Math.Clamp(split, 1, (int)(channels / TileRows));
        var gram = zeros([1, channels, channels], ScalarType.Float32);
        if (positions == 0)
        {
            return gram;
        }

        // The [1,P,C] view of the same memory is contiguous, so its bytes are the feature map's, position by position.
        using var rows = flat.transpose(1, 2);
        fixed (byte* source = rows.bytes)
        fixed (byte* target = gram.bytes)
        {
            var problem = new Problem((float*)source, (int)channels, positions, (float*)target, tileColumns);
            problem.Run(wide, split);
            problem.Mirror();
        }

        return gram;
    }

    private readonly struct Problem(float* features, int channels, long positions, float* gram, int tileColumns)
    {
        private readonly long _block = Math.Max(16, BlockBytes / (channels * sizeof(float)));

        /// <summary>
        /// Computes the tiles on and above the diagonal in <paramref name="parts"/> bands of tile rows of about equal work
        /// (a row of tiles reaches from the diagonal to the last column), one band per part of the team.
        /// </summary>
        public void Run(bool wide, int parts)
        {
            var bounds = stackalloc int[parts + 1];
            bounds[0] = 0;
            long total = 0;
            for (var i = 0; i < channels; i += TileRows)
            {
                total += channels - (i / tileColumns * tileColumns);
            }

            long done = 0;
            var part = 1;
            for (var i = 0; i < channels && part < parts; i += TileRows)
            {
                done += channels - (i / tileColumns * tileColumns);
                if (done * parts >= total * part)
                {
                    bounds[part++] = i + TileRows;
                }
            }

            while (part <= parts)
            {
                bounds[part++] = channels;
            }

            var self = this;
            var band = new Band { Problem = &self, Bounds = bounds, Wide = wide };
            OpenMpTeam.Run(parts, &RunBand, &band);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RunBand(int part, void* state)
        {
            var band = (Band*)state;
            if (band->Wide)
            {
                band->Problem->Run<Vectors512, Vector512<float>>(band->Bounds[part], band->Bounds[part + 1]);
            }
            else
            {
                band->Problem->Run<Vectors256, Vector256<float>>(band->Bounds[part], band->Bounds[part + 1]);
            }
        }

        /// <summary>Copies the tiles above the diagonal to their mirror images below it, a square of 16 at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Mirror()
        {
            const int Square = 16;
            for (var jb = 0; jb < channels; jb += tileColumns)
            {
                // Rows from the next tile row down take columns jb..jb+tileColumns from the computed rows jb..jb+tileColumns.
                for (var ib = jb + tileColumns; ib < channels; ib += Square)
                {
                    for (var jj = jb; jj < jb + tileColumns; jj += Square)
                    {
                        for (var i = ib; i < ib + Square; i++)
                        {
                            var row = gram + ((long)i * channels);
                            for (var j = jj; j < jj + Square; j++)
                            {
                                row[j] = gram[((long)j * channels) + i];
                            }
                        }
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Run<TLanes, TVector>(int firstRow, int endRow)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            for (long start = 0; start < positions; start += _block)
            {
                var end = Math.Min(positions, start + _block);
                for (var i = firstRow; i < endRow; i += TileRows)
                {
                    for (var j = i / tileColumns * tileColumns; j < channels; j += tileColumns)
                    {
                        for (var chunk = start; chunk < end; chunk += Chunk)
                        {
                            Tile<TLanes, TVector>(i, j, chunk, Math.Min(end, chunk + Chunk));
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Adds the positions [start, end), at most <see cref="Chunk"/>, to G's rows i..i+3 at columns j..j+4·lanes: their
        /// sum is formed from zero in registers and then added to G, so that each element is a sum of short sums.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile<TLanes, TVector>(int i, int j, long start, long end)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var n = TLanes.Count;
            TVector a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
            TVector a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
            var row = features + (start * channels);
            for (var p = start; p < end; p++, row += channels)
            {
                var columns = row + j;
                TVector v0 = TLanes.Load(columns), v1 = TLanes.Load(columns + n), v2 = TLanes.Load(columns + (2 * n)), v3 = TLanes.Load(columns + (3 * n));
                var b = TLanes.Broadcast(row[i]);
                a00 = TLanes.MultiplyAdd(b, v0, a00);
                a01 = TLanes.MultiplyAdd(b, v1, a01);
                a02 = TLanes.MultiplyAdd(b, v2, a02);
                a03 = TLanes.MultiplyAdd(b, v3, a03);
                b = TLanes.Broadcast(row[i + 1]);
                a10 = TLanes.MultiplyAdd(b, v0, a10);
                a11 = TLanes.MultiplyAdd(b, v1, a11);
                a12 = TLanes.MultiplyAdd(b, v2, a12);
                a13 = TLanes.MultiplyAdd(b, v3, a13);
                b = TLanes.Broadcast(row[i + 2]);
                a20 = TLanes.MultiplyAdd(b, v0, a20);
                a21 = TLanes.MultiplyAdd(b, v1, a21);
                a22 = TLanes.MultiplyAdd(b, v2, a22);
                a23 = TLanes.MultiplyAdd(b, v3, a23);
                b = TLanes.Broadcast(row[i + 3]);
                a30 = TLanes.MultiplyAdd(b, v0, a30);
                a31 = TLanes.MultiplyAdd(b, v1, a31);
                a32 = TLanes.MultiplyAdd(b, v2, a32);
                a33 = TLanes.MultiplyAdd(b, v3, a33);
            }

            var g = gram + ((long)i * channels) + j;
            AddRow<TLanes, TVector>(g, a00, a01, a02, a03);
            AddRow<TLanes, TVector>(g + channels, a10, a11, a12, a13);
            AddRow<TLanes, TVector>(g + (2 * channels), a20, a21, a22, a23);
            AddRow<TLanes, TVector>(g + (3 * channels), a30, a31, a32, a33);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddRow<TLanes, TVector>(float* g, TVector a0, TVector a1, TVector a2, TVector a3)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var n = TLanes.Count;
            TLanes.Store(TLanes.Add(TLanes.Load(g), a0), g);
            TLanes.Store(TLanes.Add(TLanes.Load(g + n), a1), g + n);
            TLanes.Store(TLanes.Add(TLanes.Load(g + (2 * n)), a2), g + (2 * n));
            TLanes.Store(TLanes.Add(TLanes.Load(g + (3 * n)), a3), g + (3 * n));
        }
    }

    private struct Band
    {
        public Problem* Problem;
        public int* Bounds;
        public bool Wide;
    }
}
