using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// The gradient at the image of SqueezeNet's stem (<c>conv1</c>, 3×3 with stride 2 and no padding on the three colour
/// channels, and the ReLU after it), given the gradient at the rectified output, on the CPU's fused multiply-add vectors
/// (AVX-512 or AVX2 with FMA). libtorch's backward of this convolution to a three-channel input ran at 10–13 % of the
/// CPU's peak, the largest single item of a step's backward pass; measurements are in docs/performance.md.
/// </summary>
/// <remarks>
/// <para>At each output position the ReLU's mask is applied to the C gradients (where the rectified output is 0 the
/// gradient is 0, as in libtorch's backward of ReLU), and the masked row is multiplied by the C × 27 kernel matrix,
/// whose columns are ordered (kernel row, kernel column, colour): so the 9 values of one kernel row land on 9 neighbouring
/// floats of the channels-last image gradient, which they are added to. The 27 columns are padded to whole vectors; 8
/// accumulators (4 positions of 2 vectors, or 2 of 4) stay in registers while the C channels stream past.</para>
/// <para>Its bands of output rows run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains.</para>
/// </remarks>
internal static unsafe class StemGradient
{
    /// <summary>The colour channels, kernel size and stride of SqueezeNet 1.1's <c>conv1</c>.</summary>
    internal const int Colours = 3, Kernel = 3, Stride = 2;

    /// <summary>A kernel row's values for one output position: 3 kernel columns × 3 colours.</summary>
    private const int RowValues = Kernel * Colours;

    /// <summary>The 27 columns of the kernel matrix, padded to whole vectors of either width.</summary>
    private const int Columns = 32;

    /// <summary>The vector accumulators of a tile.</summary>
    private const int Accumulators = 8;

    /// <summary>The positions of a tile at most (with 512-bit vectors: 2 vectors a position).</summary>
    private const int MaxTilePositions = 4;

    /// <summary>
    /// Gets a value indicating whether the kernel applies to a convolution with this <paramref name="weight"/> on this
    /// thread: a float32 CPU weight shaped <c>[C,3,3,3]</c> with C a multiple of 16, a usable vector width, and at most
    /// <see cref="FmaKernels.MaxLibtorchThreads"/> libtorch threads.
    /// </summary>
    public static bool Applies(Tensor weight) =>
        weight.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32 && weight.dim() == 4
        && weight.size(0) > 0 && weight.size(0) % 16 == 0 && weight.size(1) == Colours && weight.size(2) == Kernel
        && weight.size(3) == Kernel && FmaKernels.IsSupported && FmaKernels.FewLibtorchThreads;

    /// <summary>
    /// The gradient at a <c>[N,3,H,W]</c> image whose stem output's gradient is <paramref name="gradient"/>, as a
    /// <c>[N,3,H,W]</c> tensor with channels-last strides.
    /// </summary>
    /// <param name="gradient">The gradient at the rectified output, <c>[N,C,Ho,Wo]</c> with Ho = (H − 3) / 2 + 1 (the same for W).</param>
    /// <param name="rectified">The rectified output itself, the same shape; where it is 0 the ReLU passes no gradient.</param>
    /// <param name="weight">The convolution's weight, <c>[C,3,3,3]</c>, for which <see cref="Applies"/> holds.</param>
    /// <param name="height">The image's height H.</param>
    /// <param name="width">The image's width W.</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <exception cref="ArgumentException">The shapes do not fit together, or the tensors are too large for the kernel.</exception>
    public static Tensor Compute(Tensor gradient, Tensor rectified, Tensor weight, long height, long width, FmaLanes lanes = FmaLanes.Widest) =>
        Compute(gradient, rectified, Pack(weight), height, width, lanes);

    /// <summary>The same, with the kernel matrix <see cref="Pack"/> made once for a frozen weight.</summary>
    /// <param name="gradient">The gradient at the rectified output, <c>[N,C,Ho,Wo]</c>; with no <paramref name="rectified"/>, the gradient at the convolution's output (masked by the ReLU already).</param>
    /// <param name="rectified">The rectified output itself, the same shape; null where <paramref name="gradient"/> is masked already (<see cref="PoolGradient.AddTo"/> rectifying).</param>
    /// <param name="kernel">The packed weight.</param>
    /// <param name="height">The image's height H.</param>
    /// <param name="width">The image's width W.</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <exception cref="ArgumentException">The shapes do not fit together, or the tensors are too large for the kernel.</exception>
    /// <param name="parts">
    /// The bands of output rows the work is split into, run on libtorch's OpenMP team (<see cref="OpenMpTeam.RunRowBands"/>);
    /// null for <see cref="OpenMpTeam.PartsFor"/> the output values (positions × channels).
    /// </param>
    public static Tensor Compute(Tensor gradient, Tensor? rectified, PackedKernel kernel, long height, long width, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        var weight = kernel.Shape;
        long batch = gradient.size(0), channels = weight[0];
        long outputHeight = OutputSize(height), outputWidth = OutputSize(width);
        long[] expected = [batch, channels, outputHeight, outputWidth];
        if (height < Kernel || width < Kernel || !Dimensions.Are(gradient, expected) || (rectified is not null && !Dimensions.Are(rectified, expected)))
        {
            throw new ArgumentException(
                $"The stem's gradient [{string.Join(",", gradient.shape)}] and output [{string.Join(",", (rectified ?? gradient).shape)}] do not fit a {width}×{height} image and a weight of [{string.Join(",", weight)}].");
        }

        // Every tensor is read or written as a span, whose length is an int.
        if (batch * channels * outputHeight * outputWidth * sizeof(float) > int.MaxValue || batch * height * width * Colours * sizeof(float) > int.MaxValue)
        {
            throw new ArgumentException($"A {width}×{height} image is too large for the stem's own gradient kernel.");
        }

        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        // [N,H,W,3] contiguous is the channels-last memory of [N,3,H,W].
        var image = zeros([batch, height, width, Colours], ScalarType.Float32);
        var rows = ChannelsLast.DenseNhwc(gradient);
        // Without the rectified output, the gradient is masked already: the kernel reads no keys.
        var keys = rectified is null ? null : ChannelsLast.DenseNhwc(rectified);
        fixed (float* w = kernel.Values)
        fixed (byte* g = rows.bytes)
        fixed (byte* r = keys is null ? null : keys.bytes)
        fixed (byte* x = image.bytes)
        {
            var bands = parts ?? OpenMpTeam.PartsFor(outputHeight * outputWidth * channels);
            for (long n = 0; n < batch; n++)
            {
                var offset = n * outputHeight * outputWidth * channels;
                var problem = new Problem(
                    (float*)g + offset, r == null ? null : (float*)r + offset, w, (int)channels, outputWidth, (float*)x + (n * height * width * Colours), width);
                // An output row's kernel rows reach the image row the next output row's start on.
                var state = new Rows { Problem = &problem, Wide = wide };
                OpenMpTeam.RunRowBands(outputHeight, bands, &RunRows, &state);
            }
        }

        return image.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>conv1's output size for an image size: <c>(size − 3) / 2 + 1</c>, no padding.</summary>
    /// <param name="size">The image's height or width, at least 3.</param>
    public static long OutputSize(long size) => ((size - Kernel) / Stride) + 1;

    /// <summary>
    /// The kernel matrix of a weight for which <see cref="Applies"/> holds, C rows of <see cref="Columns"/>: column
    /// (ky·3 + kx)·3 + colour holds <c>weight[c, colour, ky, kx]</c>.
    /// </summary>
    /// <param name="weight">The convolution's weight, <c>[C,3,3,3]</c>.</param>
    public static PackedKernel Pack(Tensor weight)
    {
        var values = FmaKernels.Values(weight);
        var channels = (int)weight.size(0);
        var packed = new float[channels * Columns];
        for (var c = 0; c < channels; c++)
        {
            for (var colour = 0; colour < Colours; colour++)
            {
                for (var ky = 0; ky < Kernel; ky++)
                {
                    for (var kx = 0; kx < Kernel; kx++)
                    {
                        packed[(c * Columns) + (ky * RowValues) + (kx * Colours) + colour] = values[(((c * Colours) + colour) * Kernel * Kernel) + (ky * Kernel) + kx];
                    }
                }
            }
        }

        return new PackedKernel(packed, weight.shape);
    }

    /// <summary>A weight as <see cref="Pack"/> lays it out for the kernel, with the weight's shape.</summary>
    /// <param name="Values">C rows of <see cref="Columns"/> values.</param>
    /// <param name="Shape">The weight's shape, <c>[C,3,3,3]</c>.</param>
    internal sealed record PackedKernel(float[] Values, long[] Shape);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows(long first, long end, void* state)
    {
        var rows = (Rows*)state;
        rows->Problem->Run(rows->Wide, first, end);
    }

    private struct Rows
    {
        public Problem* Problem;
        public bool Wide;
    }

    private readonly struct Problem(float* gradient, float* rectified, float* packed, int channels, long outputWidth, float* image, long width)
    {
        /// <summary>Adds the output rows [<paramref name="firstRow"/>, <paramref name="endRow"/>)'s gradient to the image.</summary>
        public void Run(bool wide, long firstRow, long endRow)
        {
            if (wide)
            {
                Run<Vectors512, Vector512<float>>(firstRow, endRow);
            }
            else
            {
                Run<Vectors256, Vector256<float>>(firstRow, endRow);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Run<TLanes, TVector>(long firstRow, long endRow)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var tilePositions = Accumulators / (Columns / TLanes.Count);
            var masked = stackalloc float[MaxTilePositions * channels];
            var products = stackalloc float[MaxTilePositions * Columns];
            for (var oy = firstRow; oy < endRow; oy++)
            {
                for (long ox = 0; ox < outputWidth; ox += tilePositions)
                {
                    var count = (int)Math.Min(tilePositions, outputWidth - ox);
                    var position = (oy * outputWidth) + ox;
                    // Masked already, a whole tile's gradient is read where it is.
                    var rows = gradient + (position * channels);
                    if (rectified != null || count < tilePositions)
                    {
                        FmaKernels.CopyMasked<TLanes, TVector>(rows, rectified == null ? null : rectified + (position * channels), count * channels, masked);
                        new Span<float>(masked + (count * channels), (tilePositions - count) * channels).Clear();
                        rows = masked;
                    }

                    Tile<TLanes, TVector>(rows, products);
                    for (var p = 0; p < count; p++)
                    {
                        Scatter(products + (p * Columns), image + ((((Stride * oy) * width) + (Stride * (ox + p))) * Colours));
                    }
                }
            }
        }

        /// <summary>
        /// The masked rows of the tile's positions times the kernel matrix: 8 accumulators of the
        /// <see cref="Columns"/>/lanes vectors of each of 8 / that many positions.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile<TLanes, TVector>(float* masked, float* products)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var n = TLanes.Count;
            var v = Columns / n;
            TVector a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            var w = packed;
            for (var c = 0; c < channels; c++, w += Columns)
            {
                TVector w0 = TLanes.Load(w), w1 = TLanes.Load(w + n);
                TVector w2 = v > 2 ? TLanes.Load(w + (2 * n)) : w0, w3 = v > 2 ? TLanes.Load(w + (3 * n)) : w1;
                TVector b0 = TLanes.Broadcast(masked[c]), b1 = TLanes.Broadcast(masked[channels + c]);
                TVector b2 = v > 2 ? b0 : TLanes.Broadcast(masked[(2 * channels) + c]), b3 = v > 2 ? b1 : TLanes.Broadcast(masked[(3 * channels) + c]);
                a0 = TLanes.MultiplyAdd(Pick(0 / v, b0, b1, b2, b3), Pick(0 % v, w0, w1, w2, w3), a0);
                a1 = TLanes.MultiplyAdd(Pick(1 / v, b0, b1, b2, b3), Pick(1 % v, w0, w1, w2, w3), a1);
                a2 = TLanes.MultiplyAdd(Pick(2 / v, b0, b1, b2, b3), Pick(2 % v, w0, w1, w2, w3), a2);
                a3 = TLanes.MultiplyAdd(Pick(3 / v, b0, b1, b2, b3), Pick(3 % v, w0, w1, w2, w3), a3);
                a4 = TLanes.MultiplyAdd(Pick(4 / v, b0, b1, b2, b3), Pick(4 % v, w0, w1, w2, w3), a4);
                a5 = TLanes.MultiplyAdd(Pick(5 / v, b0, b1, b2, b3), Pick(5 % v, w0, w1, w2, w3), a5);
                a6 = TLanes.MultiplyAdd(Pick(6 / v, b0, b1, b2, b3), Pick(6 % v, w0, w1, w2, w3), a6);
                a7 = TLanes.MultiplyAdd(Pick(7 / v, b0, b1, b2, b3), Pick(7 % v, w0, w1, w2, w3), a7);
            }

            // Accumulator k holds position k / v, columns (k % v)·n onwards: in memory, simply the k-th vector.
            TLanes.Store(a0, products);
            TLanes.Store(a1, products + n);
            TLanes.Store(a2, products + (2 * n));
            TLanes.Store(a3, products + (3 * n));
            TLanes.Store(a4, products + (4 * n));
            TLanes.Store(a5, products + (5 * n));
            TLanes.Store(a6, products + (6 * n));
            TLanes.Store(a7, products + (7 * n));
        }

        /// <summary>Adds one position's 3 kernel rows of 9 values to the image's rows 2·oy … 2·oy + 2 from column 2·ox.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Scatter(float* products, float* target)
        {
            // 9 values: a vector of 8 and one more.
            var stride = width * Colours;
            for (var ky = 0; ky < Kernel; ky++, products += RowValues, target += stride)
            {
                (Vector256.Load(target) + Vector256.Load(products)).Store(target);
                target[RowValues - 1] += products[RowValues - 1];
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
    }
}
