using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// SqueezeNet 1.1's max-pools (3×3, stride 2, ceil mode, no padding) forward on the CPU's vectors, for the pools whose
/// gradient a step takes by hand (<see cref="PoolGradient"/>, which needs no indices): each output's channels the maximum
/// over its window, a vector of channels at a time, written once in channels-last memory. Exactly libtorch's values, NaN
/// included; its ranges of output rows run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains (libtorch's
/// channels-last pool divided its work unevenly between two threads).
/// </summary>
internal static unsafe class PoolForward
{
    private const int Kernel = PoolGradient.Kernel, Stride = PoolGradient.Stride;

    /// <summary>The pool's output, <c>[N,C,Ho,Wo]</c> in channels-last memory, for an input for which <see cref="PoolGradient.Applies"/> holds.</summary>
    /// <param name="input">The pool's input, <c>[N,C,H,W]</c>, channels-last.</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <param name="parts">The ranges of output rows the work is split into on libtorch's team; null for <see cref="OpenMpTeam.PartsFor"/> the output values.</param>
    /// <exception cref="ArgumentException">The kernel does not apply to the input.</exception>
    public static Tensor Compute(Tensor input, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        if (!PoolGradient.Applies(input))
        {
            throw new ArgumentException($"The max-pool's kernel takes a channels-last float32 CPU input whose channels are a multiple of 16, not [{string.Join(",", input.shape)}].");
        }

        long batch = input.size(0), channels = input.size(1), height = input.size(2), width = input.size(3);
        long outputHeight = PoolGradient.OutputSize(height), outputWidth = PoolGradient.OutputSize(width);
        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        var values = ChannelsLast.DenseNhwc(input.detach());
        var output = empty([batch, outputHeight, outputWidth, channels], ScalarType.Float32);
        fixed (byte* x = values.bytes)
        fixed (byte* o = output.bytes)
        {
            var ranges = parts ?? OpenMpTeam.PartsFor(outputHeight * outputWidth * channels);
            for (long n = 0; n < batch; n++)
            {
                var problem = new Problem(
                    (float*)x + (n * height * width * channels), (float*)o + (n * outputHeight * outputWidth * channels), channels, height, width, outputWidth);
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
            rows->Problem->Run<Vectors512, Vector512<float>>(first, end);
        }
        else
        {
            rows->Problem->Run<Vectors256, Vector256<float>>(first, end);
        }
    }

    private struct Rows
    {
        public Problem* Problem;
        public bool Wide;
    }

    private readonly struct Problem(float* input, float* output, long channels, long height, long width, long outputWidth)
    {
        /// <summary>Writes the output rows [<paramref name="first"/>, <paramref name="end"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TLanes, TVector>(long first, long end)
            where TLanes : struct, IFmaVectors<TVector>
            where TVector : struct
        {
            var rowStride = width * channels;
            for (var y = first; y < end; y++)
            {
                // Ceil mode: the last window may hang over the input's end; only the taps inside count.
                long top = y * Stride, rows = Math.Min(Kernel, height - top);
                var target = output + (y * outputWidth * channels);
                for (long x = 0; x < outputWidth; x++, target += channels)
                {
                    long left = x * Stride, columns = Math.Min(Kernel, width - left);
                    var corner = input + (top * rowStride) + (left * channels);
                    for (long c = 0; c < channels; c += TLanes.Count)
                    {
                        var maximum = TLanes.Load(corner + c);
                        for (long r = 0; r < rows; r++)
                        {
                            var tap = corner + (r * rowStride) + c;
                            for (long k = r == 0 ? 1 : 0; k < columns; k++)
                            {
                                maximum = TLanes.Max(maximum, TLanes.Load(tap + (k * channels)));
                            }
                        }

                        TLanes.Store(maximum, target + c);
                    }
                }
            }
        }
    }
}
