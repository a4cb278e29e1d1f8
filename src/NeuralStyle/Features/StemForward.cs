using System;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// SqueezeNet's stem forward (<c>conv1</c>, 3×3 with stride 2 and no padding on the three colour channels, its bias, and the
/// ReLU after it) on the CPU's fused multiply-add vectors (AVX-512 or AVX2 with FMA): the rectified output in channels-last
/// memory, written once, from the image as the optimiser holds it (contiguous). Where libtorch copied the image to
/// channels-last memory, ran oneDNN's convolution and then the ReLU as a second pass over the largest feature map.
/// </summary>
/// <remarks>
/// <para>Each output position's 64 channels are the sum, over the 27 taps (kernel row, kernel column, colour), of the
/// image's value there times a row of the packed weights, then the bias, rectified as it is stored: the order in which
/// oneDNN's convolution adds them, so the output equals libtorch's bit for bit (measured on AVX-512; docs/performance.md),
/// and a step's ReLU masks are the ones libtorch would make. A tile of 4 positions (AVX-512; 2 with AVX2) and four vectors
/// of channels stays in registers while the taps stream past.</para>
/// <para>Its ranges of output rows run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains; each writes only its
/// own rows, so the output does not depend on the thread count.</para>
/// </remarks>
internal static unsafe class StemForward
{
    // conv1's geometry, as the gradient kernel has it.
    private const int Colours = StemGradient.Colours, Kernel = StemGradient.Kernel, Stride = StemGradient.Stride;

    /// <summary>The taps of a kernel: rows × columns × colours.</summary>
    private const int Taps = Colours * Kernel * Kernel;

    /// <summary>The output channels of a tile: four vectors.</summary>
    private const int OutputVectors = 4;

    /// <summary>
    /// Gets a value indicating whether the kernel applies to <c>conv1</c> with this <paramref name="weight"/> and
    /// <paramref name="bias"/>: where <see cref="StemGradient.Applies"/> holds, with channels a multiple of 64 (four vectors of
    /// 16) and a float32 CPU bias of as many values.
    /// </summary>
    /// <param name="weight">The convolution's weight, <c>[C,3,3,3]</c>.</param>
    /// <param name="bias">Its bias, <c>[C]</c>.</param>
    public static bool Applies(Tensor weight, Tensor? bias) =>
        StemGradient.Applies(weight) && weight.size(0) % 64 == 0 && bias is not null && bias.device_type == DeviceType.CPU
        && bias.dtype == ScalarType.Float32 && bias.dim() == 1 && bias.size(0) == weight.size(0);

    /// <summary>Packs the frozen weight and bias for the kernel.</summary>
    /// <param name="weight">The convolution's weight, <c>[C,3,3,3]</c>, for which <see cref="Applies"/> holds.</param>
    /// <param name="bias">Its bias, <c>[C]</c>.</param>
    public static PackedStem Pack(Tensor weight, Tensor bias)
    {
        // The kernel reads 27 rows of C, one per tap (kernel row, kernel column, colour).
        var values = FmaKernels.Values(weight);
        var channels = (int)weight.size(0);
        var rows = new float[Taps * channels];
        for (var c = 0; c < channels; c++)
        {
            for (var tap = 0; tap < Taps; tap++)
            {
                // Tap (ky, kx, colour) reads weight[c, colour, ky, kx].
                int ky = tap / (Kernel * Colours), kx = tap / Colours % Kernel, colour = tap % Colours;
                rows[(tap * channels) + c] = values[(c * Taps) + (colour * Kernel * Kernel) + (ky * Kernel) + kx];
            }
        }

        return new PackedStem(rows, FmaKernels.Values(bias), channels);
    }

    /// <summary>The rectified output of the stem, <c>[N,C,Ho,Wo]</c> in channels-last memory, for a <c>[N,3,H,W]</c> image.</summary>
    /// <param name="image">The normalised image, float32 on the CPU, at least 3×3.</param>
    /// <param name="weights">The packed weight and bias (<see cref="Pack"/>).</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <param name="parts">The ranges of rows the work is split into on libtorch's team; null for <see cref="OpenMpTeam.PartsFor"/> the output values.</param>
    /// <exception cref="ArgumentException">The image is not a float32 CPU image of three channels and at least 3×3, or is too large for the kernel.</exception>
    public static Tensor Compute(Tensor image, PackedStem weights, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        if (image.dim() != 4 || image.size(1) != Colours || image.size(2) < Kernel || image.size(3) < Kernel
            || image.dtype != ScalarType.Float32 || image.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"The stem takes a float32 CPU image of 3 channels and at least 3×3 pixels, not [{string.Join(",", image.shape)}].");
        }

        long batch = image.size(0), height = image.size(2), width = image.size(3);
        long outputHeight = StemGradient.OutputSize(height), outputWidth = StemGradient.OutputSize(width);
        if (batch * outputHeight * outputWidth * weights.Channels * sizeof(float) > int.MaxValue || batch * Colours * height * width * sizeof(float) > int.MaxValue)
        {
            throw new ArgumentException($"A {width}×{height} image is too large for the stem's own kernel.");
        }

        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        var planes = image.detach().contiguous();
        var output = empty([batch, outputHeight, outputWidth, weights.Channels], ScalarType.Float32);
        fixed (float* rows = weights.Rows)
        fixed (float* bias = weights.Bias)
        fixed (byte* x = planes.bytes)
        fixed (byte* o = output.bytes)
        {
            var ranges = parts ?? OpenMpTeam.PartsFor(outputHeight * outputWidth * weights.Channels);
            for (long n = 0; n < batch; n++)
            {
                var problem = new Problem(
                    (float*)x + (n * Colours * height * width), height, width, rows, bias, weights.Channels,
                    (float*)o + (n * outputHeight * outputWidth * weights.Channels), outputWidth);
                var state = new Rows { Problem = &problem, Wide = wide };
                OpenMpTeam.RunRanges(outputHeight, ranges, 1, &RunRows, &state);
            }
        }

        return output.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows(long first, long end, void* state)
    {
        var rows = (Rows*)state;
        if (rows->Wide)
        {
            rows->Problem->Run<Vectors512, System.Runtime.Intrinsics.Vector512<float>>(first, end);
        }
        else
        {
            rows->Problem->Run<Vectors256, System.Runtime.Intrinsics.Vector256<float>>(first, end);
        }
    }

    /// <summary>The stem's weight as the kernel reads it.</summary>
    /// <param name="Rows">Per tap (kernel row, kernel column, colour), its weights for the C output channels.</param>
    /// <param name="Bias">The C biases.</param>
    /// <param name="Channels">The output channels C.</param>
    internal sealed record PackedStem(float[] Rows, float[] Bias, int Channels);

    private struct Rows
    {
        public Problem* Problem;
        public bool Wide;
    }

    private readonly struct Problem(float* image, long height, long width, float* rows, float* bias, int channels, float* output, long outputWidth)
    {
        /// <summary>Writes the output rows [<paramref name="first"/>, <paramref name="end"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TLanes, TVector>(long first, long end)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            // Where each tap reads, from the tile position's top-left pixel in the colour planes.
            var offsets = stackalloc long[Taps];
            for (var tap = 0; tap < Taps; tap++)
            {
                offsets[tap] = ((tap % Colours) * height * width) + ((tap / (Kernel * Colours)) * width) + (tap / Colours % Kernel);
            }

            // 16 accumulators of 32 registers with AVX-512 (4 positions), 8 of 16 with AVX2 (2 positions).
            var positions = TLanes.Count == 16 ? 4 : 2;
            long block = OutputVectors * TLanes.Count;
            for (var y = first; y < end; y++)
            {
                var top = image + (Stride * y * width);
                var row = output + (y * outputWidth * channels);
                for (long x = 0; x < outputWidth; x += positions)
                {
                    var count = (int)Math.Min(positions, outputWidth - x);
                    // Positions past the row's end read the last one's pixels (their sums are not stored).
                    var last = outputWidth - 1;
                    float* p0 = top + (Stride * x), p1 = top + (Stride * Math.Min(x + 1, last));
                    float* p2 = top + (Stride * Math.Min(x + 2, last)), p3 = top + (Stride * Math.Min(x + 3, last));
                    for (long c = 0; c < channels; c += block)
                    {
                        Block<TLanes, TVector>(p0, p1, p2, p3, offsets, rows + c, bias + c, row + (x * channels) + c, count);
                    }
                }
            }
        }

        /// <summary>
        /// Four vectors of output channels at a tile's positions: over the taps, the pixel times the tap's weight row, then
        /// the bias; rectified and stored for <paramref name="count"/> positions.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Block<TLanes, TVector>(float* p0, float* p1, float* p2, float* p3, long* offsets, float* weights, float* blockBias, float* target, int count)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            long n = TLanes.Count, n2 = 2 * n, n3 = 3 * n, c = channels;
            var wide = TLanes.Count == 16;
            TVector b0 = TLanes.Load(blockBias), b1 = TLanes.Load(blockBias + n), b2 = TLanes.Load(blockBias + n2), b3 = TLanes.Load(blockBias + n3);
            TVector c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
            TVector c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
            var w = weights;
            for (var tap = 0; tap < Taps; tap++, w += c)
            {
                var offset = offsets[tap];
                TVector w0 = TLanes.Load(w), w1 = TLanes.Load(w + n), w2 = TLanes.Load(w + n2), w3 = TLanes.Load(w + n3);
                TVector v0 = TLanes.Broadcast(p0[offset]), v1 = TLanes.Broadcast(p1[offset]);
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
                    TVector v2 = TLanes.Broadcast(p2[offset]), v3 = TLanes.Broadcast(p3[offset]);
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

            FmaKernels.StoreRectified<TLanes, TVector>(target, TLanes.Add(c00, b0), TLanes.Add(c01, b1), TLanes.Add(c02, b2), TLanes.Add(c03, b3));
            if (count > 1)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + c, TLanes.Add(c10, b0), TLanes.Add(c11, b1), TLanes.Add(c12, b2), TLanes.Add(c13, b3));
            }

            if (count > 2)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + (2 * c), TLanes.Add(c20, b0), TLanes.Add(c21, b1), TLanes.Add(c22, b2), TLanes.Add(c23, b3));
            }

            if (count > 3)
            {
                FmaKernels.StoreRectified<TLanes, TVector>(target + (3 * c), TLanes.Add(c30, b0), TLanes.Add(c31, b1), TLanes.Add(c32, b2), TLanes.Add(c33, b3));
            }
        }
    }
}
