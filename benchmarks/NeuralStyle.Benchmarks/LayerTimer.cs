using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// <c>layers</c>: each convolution and max-pool of the network up to fire5, alone, at the shapes an image of the given size
/// gives it, in channels-last memory as the optimiser runs it: the forward pass (with autograd recording, as in a step) and
/// the backward pass to its input, with GFLOP/s and the share of the measured peak. Shows where the network's share of
/// peak is lost. Options: <c>--sizes 192,512</c> (shorter side; 4:3 images), <c>--steps 30</c> calls per timing,
/// <c>--repeats 7</c> (the median is reported), <c>--threads N</c>. One JSON line per layer. CPU only.
/// </summary>
internal static class LayerTimer
{
    public static int Run(string[] args)
    {
        var options = StepTimer.Parse(args);
        StepTimer.ApplyThreads(options);
        var sizes = StepTimer.Sizes(options, "192,512");
        var steps = StepTimer.Integer(options, "steps", 30);
        var repeats = StepTimer.Integer(options, "repeats", 7);
        var peak = FlopCount.CpuPeak(torch.get_num_threads());
        foreach (var height in sizes)
        {
            var width = (height * 4) / 3;
            using var run = NativeAllocator.EnterRun([1, 3, height, width]);
            foreach (var layer in FlopCount.Layers(height, width))
            {
                using var scope = NewDisposeScope();
                var input = ChannelsLast.Copy(rand(1, layer.In, layer.Height, layer.Width)).requires_grad_(true);
                Func<Tensor> forward = layer.Kernel == 0
                    ? () => nn.functional.max_pool2d(input, 3, layer.Stride, ceil_mode: true)
                    : Convolution(input, layer);
                var outputGradient = ChannelsLast.Copy(randn(forward().shape));
                var forwardMs = Median(() => forward(), steps, repeats);
                var bothMs = Median(() => torch.autograd.grad([forward()], [input], [outputGradient]), steps, repeats);
                var backwardMs = bothMs - forwardMs;
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    height,
                    width,
                    layer = layer.Name,
                    shape = FormattableString.Invariant($"{layer.In}→{layer.Out} k{(layer.Kernel == 0 ? 3 : layer.Kernel)} {layer.Height}×{layer.Width}"),
                    gflop = Math.Round(layer.Flops / 1e9, 4),
                    ms_forward = Math.Round(forwardMs, 3),
                    ms_backward = Math.Round(backwardMs, 3),
                    gflops_forward = layer.Kernel == 0 ? (double?)null : Math.Round(layer.Flops / 1e6 / forwardMs, 1),
                    gflops_backward = layer.Kernel == 0 ? (double?)null : Math.Round(layer.Flops / 1e6 / backwardMs, 1),
                    share_forward = layer.Kernel == 0 ? (double?)null : Math.Round(layer.Flops / 1e6 / forwardMs / peak.Gflops, 3),
                    share_backward = layer.Kernel == 0 ? (double?)null : Math.Round(layer.Flops / 1e6 / backwardMs / peak.Gflops, 3),
                    threads = torch.get_num_threads(),
                    peak_gflops = Math.Round(peak.Gflops, 1),
                }));
            }
        }

        return 0;
    }

    private static Func<Tensor> Convolution(Tensor input, FlopCount.Layer layer)
    {
        var weight = ChannelsLast.Copy(randn(layer.Out, layer.In, layer.Kernel, layer.Kernel).mul_(0.1));
        var bias = randn(layer.Out).mul_(0.01);
        return () => nn.functional.conv2d(input, weight, bias, strides: [layer.Stride, layer.Stride], padding: [layer.Padding, layer.Padding]);
    }

    // Median over repeats of the mean time of one call, each call in a scope of its own (as a step frees its tensors).
    private static double Median(Action call, int steps, int repeats)
    {
        for (var i = 0; i < 5; i++)
        {
            using var warm = NewDisposeScope();
            call();
        }

        var times = new List<double>(repeats);
        for (var r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < steps; i++)
            {
                using var step = NewDisposeScope();
                call();
            }

            times.Add(clock.Elapsed.TotalMilliseconds / steps);
        }

        return StepTimer.Median(times);
    }
}
