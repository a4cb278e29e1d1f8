using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// <c>gram</c>: the Gram product <c>F Fᵀ</c> of each style layer of the composition-vii preset, at the shapes an image of
/// the given size gives it, channels-last as a step computes it, through libtorch's matrix product (split over its
/// threads) and through <see cref="SymmetricGram"/>'s vector kernel, alternating, with GFLOP/s (2·C²·P counted for both)
/// and the largest difference between the two relative to the largest element; the kernel also on the calling thread
/// alone (<c>ms_kernel_one_thread</c>) against its split over libtorch's OpenMP team (<c>ms_kernel</c>). Each product follows a 1×1 convolution,
/// as in a step the forward pass's last operation leaves libtorch's worker threads spinning. Options: <c>--sizes
/// 192,512</c>, <c>--steps 30</c> products per timing, <c>--repeats 9</c> (the median is reported), <c>--threads N</c>.
/// One JSON line per layer. CPU only.
/// </summary>
internal static class GramTimer
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
            var shapes = FlopCount.FeatureSizes(height, width);
            using var run = NativeAllocator.EnterRun([1, 3, height, width]);
            foreach (var layer in StyleTransferPresets.CompositionVii.StyleLayers.Distinct())
            {
                using var scope = NewDisposeScope();
                var (c, h, w) = shapes[layer];
                var features = ChannelsLast.Copy(rand(1, c, h, w));
                var flat = features.reshape(1, c, h * w);
                var mixer = ChannelsLast.Copy(randn(c, c, 1, 1).mul_(0.1));
                var blasMs = new List<double>(repeats);
                var kernelMs = new List<double>(repeats);
                var oneThreadMs = new List<double>(repeats);
                for (var r = 0; r < repeats; r++)
                {
                    blasMs.Add(Mean(() => GramMatrix.BlasProduct(flat, flat), features, mixer, steps));
                    kernelMs.Add(Mean(() => SymmetricGram.TryCompute(flat) ?? throw new InvalidOperationException("The vector kernel does not apply here (no AVX2 with FMA, or more than two threads)."), features, mixer, steps));
                    oneThreadMs.Add(Mean(() => SymmetricGram.TryCompute(flat, parts: 1)!, features, mixer, steps));
                }

                var blas = GramMatrix.BlasProduct(flat, flat);
                var kernel = SymmetricGram.TryCompute(flat)!;
                var difference = kernel.sub(blas).abs().max().item<float>() / blas.abs().max().item<float>();
                var flops = 2.0 * c * c * h * w;
                double blasMedian = StepTimer.Median(blasMs), kernelMedian = StepTimer.Median(kernelMs), oneThreadMedian = StepTimer.Median(oneThreadMs);
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    height,
                    width,
                    layer,
                    channels = c,
                    positions = h * w,
                    ms_blas = Math.Round(blasMedian, 3),
                    ms_kernel = Math.Round(kernelMedian, 3),
                    ms_kernel_one_thread = Math.Round(oneThreadMedian, 3),
                    gflops_blas = Math.Round(flops / 1e6 / blasMedian, 1),
                    gflops_kernel = Math.Round(flops / 1e6 / kernelMedian, 1),
                    kernel_over_blas = Math.Round(kernelMedian / blasMedian, 3),
                    max_relative_difference = difference,
                    threads = torch.get_num_threads(),
                    peak_gflops = Math.Round(peak.Gflops, 1),
                }));
            }
        }

        return 0;
    }

    // The mean time of one product, each after a 1×1 convolution (not timed) and in a scope of its own.
    private static double Mean(Func<Tensor> product, Tensor features, Tensor mixer, int steps)
    {
        double total = 0;
        for (var i = 0; i < steps + 2; i++)
        {
            using var step = NewDisposeScope();
            nn.functional.conv2d(features, mixer);
            var clock = Stopwatch.StartNew();
            product();
            if (i >= 2)
            {
                total += clock.Elapsed.TotalMilliseconds;
            }
        }

        return total / steps;
    }
}
