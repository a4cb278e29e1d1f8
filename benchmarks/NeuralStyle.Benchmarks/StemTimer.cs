using System;
using System.Collections.Generic;
using System.Text.Json;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// <c>stem</c>: the stem's forward pass (<c>conv1</c> with its bias and ReLU) without a graph, as a step needs it
/// (channels-last output), at an image of the given size, random weights: through libtorch (the image copied to
/// channels-last memory, oneDNN's convolution, the ReLU in place) and through <see cref="StemForward"/>, alternating, with
/// GFLOP/s (2·Ho·Wo·64·27), the largest difference relative to the largest element and the share of outputs equal to libtorch's bit for bit; then the first max-pool on that
/// output through libtorch and through <see cref="PoolForward"/>, alternating. Options: <c>--sizes 192,512</c>,
/// <c>--steps 30</c> passes per timing, <c>--repeats 9</c> (the median is reported), <c>--threads N</c>. One JSON line per
/// size. CPU only.
/// </summary>
internal static class StemTimer
{
    public static int Run(string[] args)
    {
        var options = StepTimer.Parse(args);
        StepTimer.ApplyThreads(options);
        var sizes = StepTimer.Sizes(options, "192,512");
        var steps = StepTimer.Integer(options, "steps", 30);
        var repeats = StepTimer.Integer(options, "repeats", 9);
        var peak = FlopCount.CpuPeak(torch.get_num_threads());
        foreach (var height in sizes)
        {
            var width = (height * 4) / 3;
            using var run = NativeAllocator.EnterRun([1, 3, height, width]);
            using var scope = NewDisposeScope();
            var generator = new torch.Generator(9);
            var weight = randn([64, 3, 3, 3], generator: generator).div_(4);
            var bias = randn([64], generator: generator).div_(4);
            var image = randn([1, 3, height, width], generator: generator);
            var packed = StemForward.Pack(weight, bias);
            Tensor Libtorch()
            {
                using var noGrad = no_grad();
                return nn.functional.conv2d(ChannelsLast.Copy(image), weight, bias, strides: [2, 2]).relu_();
            }

            var libtorchMs = new List<double>(repeats);
            var kernelMs = new List<double>(repeats);
            var poolLibtorchMs = new List<double>(repeats);
            var poolKernelMs = new List<double>(repeats);
            var rectified = StemForward.Compute(image, packed);
            for (var r = 0; r < repeats; r++)
            {
                libtorchMs.Add(FireTimer.Mean(steps, () => () => Libtorch()));
                kernelMs.Add(FireTimer.Mean(steps, () => () => StemForward.Compute(image, packed)));
                poolLibtorchMs.Add(FireTimer.Mean(steps, () => () =>
                {
                    using var noGrad = no_grad();
                    nn.functional.max_pool2d(rectified, 3, 2, ceil_mode: true);
                }));
                poolKernelMs.Add(FireTimer.Mean(steps, () => () => PoolForward.Compute(rectified)));
            }

            var expected = Libtorch();
            var actual = StemForward.Compute(image, packed);
            var difference = actual.sub(expected).abs().max().item<float>() / expected.abs().max().item<float>();
            var equal = actual.eq(expected).to(ScalarType.Float32).mean().item<float>();
            long outputHeight = StemGradient.OutputSize(height), outputWidth = StemGradient.OutputSize(width);
            var flops = 2.0 * outputHeight * outputWidth * 64 * 27;
            double libtorch = StepTimer.Median(libtorchMs), kernel = StepTimer.Median(kernelMs);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                height,
                width,
                mflop = Math.Round(flops / 1e6, 1),
                ms_libtorch = Math.Round(libtorch, 3),
                ms_kernel = Math.Round(kernel, 3),
                gflops_libtorch = Math.Round(flops / 1e6 / libtorch, 1),
                gflops_kernel = Math.Round(flops / 1e6 / kernel, 1),
                share_kernel = Math.Round(flops / 1e6 / kernel / peak.Gflops, 3),
                kernel_over_libtorch = Math.Round(kernel / libtorch, 3),
                max_relative_difference = difference,
                equal_share = Math.Round(equal, 4),
                ms_pool_libtorch = Math.Round(StepTimer.Median(poolLibtorchMs), 3),
                ms_pool_kernel = Math.Round(StepTimer.Median(poolKernelMs), 3),
                threads = torch.get_num_threads(),
                peak_gflops = Math.Round(peak.Gflops, 1),
            }));
        }

        return 0;
    }
}
