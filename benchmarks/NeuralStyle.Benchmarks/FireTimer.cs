using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// <c>fire</c>: each Fire module a step goes through (fire2 to fire5), at the shapes an image of the given size gives it,
/// channels-last, random weights: the forward pass without a graph through libtorch (the module's convolutions, ReLUs and
/// concatenation) and through <see cref="FireForward"/>, and the backward pass to the input through autograd and through
/// <see cref="FireGradient"/>, alternating, with GFLOP/s of the backward pass (the three convolutions' backward passes to
/// their inputs counted for both; the forward pass counts the same) and the largest differences relative to the largest
/// element. Options: <c>--sizes 192,512</c>, <c>--steps 30</c> passes per timing, <c>--repeats 9</c> (the median is
/// reported), <c>--threads N</c>. One JSON line per module. CPU only.
/// </summary>
internal static class FireTimer
{
    // fire2 … fire5 of SqueezeNet 1.1: layer, input channels, squeezed, each expand's channels.
    private static readonly (int Layer, int Inputs, int Squeezed, int Expanded)[] Modules = [(3, 64, 16, 64), (4, 128, 16, 64), (6, 128, 32, 128), (7, 256, 32, 128)];

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
            foreach (var (layer, inputs, squeezed, expanded) in Modules)
            {
                using var scope = NewDisposeScope();
                var (_, h, w) = shapes[layer];
                var generator = new torch.Generator(7);
                var squeeze = randn([squeezed, inputs, 1, 1], generator: generator).div_(inputs / 4.0);
                var one = randn([expanded, squeezed, 1, 1], generator: generator).div_(squeezed / 4.0);
                var three = randn([expanded, squeezed, 3, 3], generator: generator).div_(squeezed * 2.0);
                var bias = randn([squeezed], generator: generator);
                var input = ChannelsLast.Copy(randn([1, inputs, h, w], generator: generator));
                var gradient = ChannelsLast.Copy(randn([1, 2 * expanded, h, w], generator: generator));
                var packed = FireGradient.Pack(squeeze, one, three);
                Tensor Forward(Tensor x, out Tensor s)
                {
                    s = nn.functional.relu(nn.functional.conv2d(x, squeeze, bias));
                    return torch.cat([nn.functional.relu(nn.functional.conv2d(s, one)), nn.functional.relu(nn.functional.conv2d(s, three, padding: [1, 1]))], 1);
                }

                torch.manual_seed(7);
                using var module = new FireModule(inputs, squeezed, expanded, expanded);
                var forwardPacked = FireForward.Pack(module);
                var forwardLibtorchMs = new List<double>(repeats);
                var forwardKernelMs = new List<double>(repeats);
                var autogradMs = new List<double>(repeats);
                var kernelMs = new List<double>(repeats);
                for (var r = 0; r < repeats; r++)
                {
                    forwardLibtorchMs.Add(Mean(steps, () => () =>
                    {
                        using var noGrad = no_grad();
                        module.forward(input);
                    }));
                    forwardKernelMs.Add(Mean(steps, () => () => FireForward.Compute(input, forwardPacked)));
                    autogradMs.Add(Mean(steps, () =>
                    {
                        var leaf = input.detach().requires_grad_(true);
                        var output = Forward(leaf, out _);
                        return () => torch.autograd.grad([output], [leaf], [gradient]);
                    }));
                    kernelMs.Add(Mean(steps, () =>
                    {
                        using var noGrad = no_grad();
                        var output = Forward(input, out var s);
                        return () => FireGradient.Compute(gradient, output, s, packed);
                    }));
                }

                var leaf = input.detach().requires_grad_(true);
                var expected = torch.autograd.grad([Forward(leaf, out _)], [leaf], [gradient])[0];
                Tensor actual;
                using (no_grad())
                {
                    var output = Forward(input, out var s);
                    actual = FireGradient.Compute(gradient, output, s, packed);
                }

                var difference = actual.sub(expected).abs().max().item<float>() / expected.abs().max().item<float>();
                var flops = 2.0 * h * w * squeezed * (inputs + expanded + (9.0 * expanded));
                double autogradMedian = StepTimer.Median(autogradMs), kernelMedian = StepTimer.Median(kernelMs);
                double forwardLibtorch = StepTimer.Median(forwardLibtorchMs), forwardKernel = StepTimer.Median(forwardKernelMs);
                Tensor forwardDifference;
                using (no_grad())
                {
                    var reference = module.forward(input);
                    forwardDifference = FireForward.Compute(input, forwardPacked).Output.sub(reference).abs().max().div(reference.abs().max());
                }
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    height,
                    width,
                    layer,
                    positions = h * w,
                    mflop = Math.Round(flops / 1e6, 1),
                    ms_autograd = Math.Round(autogradMedian, 3),
                    ms_kernel = Math.Round(kernelMedian, 3),
                    gflops_autograd = Math.Round(flops / 1e6 / autogradMedian, 1),
                    gflops_kernel = Math.Round(flops / 1e6 / kernelMedian, 1),
                    kernel_over_autograd = Math.Round(kernelMedian / autogradMedian, 3),
                    max_relative_difference = difference,
                    ms_forward_libtorch = Math.Round(forwardLibtorch, 3),
                    ms_forward_kernel = Math.Round(forwardKernel, 3),
                    forward_kernel_over_libtorch = Math.Round(forwardKernel / forwardLibtorch, 3),
                    forward_max_relative_difference = forwardDifference.item<float>(),
                    threads = torch.get_num_threads(),
                    peak_gflops = Math.Round(peak.Gflops, 1),
                }));
            }
        }

        return 0;
    }

    // The mean time of one pass, each after its preparation (not timed) and in a scope of its own.
    internal static double Mean(int steps, Func<Action> prepare)
    {
        double total = 0;
        for (var i = 0; i < steps + 2; i++)
        {
            using var step = NewDisposeScope();
            var backward = prepare();
            var clock = Stopwatch.StartNew();
            backward();
            if (i >= 2)
            {
                total += clock.Elapsed.TotalMilliseconds;
            }
        }

        return total / steps;
    }
}
