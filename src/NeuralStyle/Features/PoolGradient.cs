using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// The gradient at the input of SqueezeNet 1.1's max-pools (3×3, stride 2, ceil mode, no padding) from the gradient at
/// their output, added to a channels-last float32 CPU tensor on the CPU's vectors. Each output's gradient goes to the first
/// input of its window, in row-major order, whose value equals the output: the element libtorch's pool records as the
/// maximum, so the gradient is autograd's, ties included (a ReLU before the pool makes many zeros).
/// </summary>
/// <remarks>
/// The pool's forward pass then keeps no indices (at 682×512 the first pool's are 11 MB of 64-bit integers), and the
/// gradient is added where the caller keeps its sum, with no buffer of its own: libtorch's backward pass fills a zero
/// buffer of the input's size and scatters into it. Every tap of a window is compared with the window's maximum, a vector
/// of channels at a time, and adds the gradient in the lanes where it is the first match; without branches. Its bands of
/// output rows run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains.
/// </remarks>
internal static unsafe class PoolGradient
{
    /// <summary>The pools' window size and stride.</summary>
    internal const int Kernel = 3, Stride = 2;

    /// <summary>
    /// Gets a value indicating whether the kernel applies to a pool over <paramref name="input"/>: a float32 CPU tensor
    /// <c>[N,C,H,W]</c> in channels-last memory, C a multiple of 16, H and W at least 3, on a CPU with a usable vector width.
    /// </summary>
    /// <param name="input">The pool's input.</param>
    public static bool Applies(Tensor input) =>
        input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32 && input.dim() == 4 && input.size(1) % 16 == 0
        && input.size(2) >= Kernel && input.size(3) >= Kernel && ChannelsLast.Is(input) && ChannelsLast.IsDense(input)
        && input.numel() * sizeof(float) <= int.MaxValue && FmaKernels.IsSupported;

    /// <summary>The pool's output size for an input size: <c>⌈(size − 3) / 2⌉ + 1</c>, every window starting inside the input.</summary>
    /// <param name="size">The input's height or width, at least 3.</param>
    public static long OutputSize(long size) => ((size - Kernel + Stride - 1) / Stride) + 1;

    /// <summary>Adds the gradient at the pool's input to <paramref name="inputGradient"/>.</summary>
    /// <param name="inputGradient">The sum to add to, shaped and laid out as <paramref name="input"/>.</param>
    /// <param name="outputGradient">The gradient at the pool's output, <c>[N,C,Ho,Wo]</c>.</param>
    /// <param name="input">The pool's input, for which <see cref="Applies"/> holds.</param>
    /// <param name="output">The pool's output, <c>[N,C,Ho,Wo]</c>.</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <param name="parts">
    /// The bands of output rows the work is split into, run on libtorch's OpenMP team (<see cref="OpenMpTeam.RunRowBands"/>);
    /// null for <see cref="OpenMpTeam.PartsFor"/> the output values (positions × channels).
    /// </param>
    /// <param name="rectify">
    /// Whether <paramref name="input"/> is a ReLU's output and the sum is to be taken on through that ReLU as well: every
    /// sum is then set to 0 where the input is 0 (the windows cover the whole input, so every sum is). The layer below then
    /// need not read the ReLU's output again to mask the gradient (<see cref="StemGradient"/>).
    /// </param>
    /// <exception cref="ArgumentException">The kernel does not apply, or the shapes or layouts do not fit together.</exception>
    public static void AddTo(Tensor inputGradient, Tensor outputGradient, Tensor input, Tensor output, FmaLanes lanes = FmaLanes.Widest, int? parts = null, bool rectify = false)
    {
        if (!Applies(input))
        {
            throw new ArgumentException($"The max-pool's gradient kernel takes a channels-last float32 CPU input whose channels are a multiple of 16, not [{string.Join(",", input.shape)}].");
        }

        long batch = input.size(0), channels = input.size(1), height = input.size(2), width = input.size(3);
        long[] pooled = [batch, channels, OutputSize(height), OutputSize(width)];
        if (!Dimensions.Are(output, pooled) || !Dimensions.Are(outputGradient, pooled)
            || !Dimensions.Equal(inputGradient, input) || !Dimensions.SameStrides(inputGradient, input)
            || inputGradient.dtype != ScalarType.Float32 || inputGradient.device_type != DeviceType.CPU)
        {
            throw new ArgumentException(
                $"The pool's output [{string.Join(",", output.shape)}], its gradient [{string.Join(",", outputGradient.shape)}] and the input's gradient [{string.Join(",", inputGradient.shape)}] do not fit an input of [{string.Join(",", input.shape)}] laid out channels-last.");
        }

        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        var values = ChannelsLast.MemoryOrder(input.detach());
        var maxima = ChannelsLast.DenseNhwc(output);
        var gradients = ChannelsLast.DenseNhwc(outputGradient);
        var sums = ChannelsLast.MemoryOrder(inputGradient.detach());
        fixed (byte* x = values.bytes)
        fixed (byte* y = maxima.bytes)
        fixed (byte* g = gradients.bytes)
        fixed (byte* s = sums.bytes)
        {
            var problem = new Problem((float*)x, (float*)y, (float*)g, (float*)s, (int)channels, height, width, pooled[2], pooled[3], rectify);
            var bands = parts ?? OpenMpTeam.PartsFor(pooled[2] * pooled[3] * channels);
            for (long n = 0; n < batch; n++)
            {
                // A window's top row is the bottom row of the windows above it.
                var state = new Rows { Problem = &problem, Image = n, Wide = wide };
                OpenMpTeam.RunRowBands(pooled[2], bands, &RunRows, &state);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows(long first, long end, void* state)
    {
        var rows = (Rows*)state;
        rows->Problem->Run(rows->Wide, rows->Image, first, end);
    }

    private struct Rows
    {
        public Problem* Problem;
        public long Image;
        public bool Wide;
    }

    private readonly struct Problem(float* input, float* output, float* outputGradient, float* inputGradient, int channels, long height, long width, long outputHeight, long outputWidth, bool rectify)
    {
        /// <summary>Adds the gradient of image <paramref name="n"/>'s output rows [<paramref name="firstRow"/>, <paramref name="endRow"/>).</summary>
        public void Run(bool wide, long n, long firstRow, long endRow)
        {
            if (wide)
            {
                Run<Vectors512, Vector512<float>>(n, firstRow, endRow);
            }
            else
            {
                Run<Vectors256, Vector256<float>>(n, firstRow, endRow);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Run<TLanes, TVector>(long n, long firstRow, long endRow)
            where TLanes : IFmaVectors<TVector>
            where TVector : struct
        {
            for (var oh = firstRow; oh < endRow; oh++)
            {
                long top = oh * Stride, bottom = Math.Min(top + Kernel, height);
                for (long ow = 0; ow < outputWidth; ow++)
                {
                    long left = ow * Stride, right = Math.Min(left + Kernel, width);
                    var at = ((((n * outputHeight) + oh) * outputWidth) + ow) * channels;
                    var rowStart = ((n * height) + top) * width * channels;
                    for (var c = 0; c < channels; c += TLanes.Count)
                    {
                        Window<TLanes, TVector>(at + c, rowStart + c, bottom - top, left, right);
                    }
                }
            }
        }

        // One vector of channels of one window: each lane's gradient goes to the first tap that equals its maximum. Without
        // branches: a tap that takes nothing adds zeros. Rectified, each sum is 0 where the input is (a ReLU's gradient).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Window<TLanes, TVector>(long at, long rowStart, long rows, long left, long right)
            where TLanes : IFmaVectors<TVector>
            where TVector : struct
        {
            var maximum = TLanes.Load(output + at);
            var gradient = TLanes.Load(outputGradient + at);
            var taken = TLanes.Broadcast(0f);
            var rowStride = width * channels;
            for (long r = 0; r < rows; r++)
            {
                var row = rowStart + (r * rowStride);
                for (var w = left; w < right; w++)
                {
                    var offset = row + (w * channels);
                    var value = TLanes.Load(input + offset);
                    var match = TLanes.EqualExcept(value, maximum, taken);
                    var sum = TLanes.Add(TLanes.Load(inputGradient + offset), TLanes.Where(match, gradient));
                    TLanes.Store(rectify ? TLanes.WherePositive(value, sum) : sum, inputGradient + offset);
                    taken = TLanes.Or(taken, match);
                }
            }
        }
    }
}
