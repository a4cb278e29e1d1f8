using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Where an iteration of the step timer's problem spends its time, part by part, with each part's achieved GFLOP/s
/// against the CPU's peak (<see cref="FlopCount"/>): the network (forward to the deepest layer used and backward to the
/// input from a fixed random gradient R_l at each layer the preset reads: <c>network</c> through the backward pass a step
/// runs, with the library's own kernels, the gradients handed over as they are, so nothing but the network is timed;
/// <c>network_autograd</c> through libtorch's autograd alone, from the loss Σ⟨F_l, R_l⟩, whose own passes — timed alone as
/// <c>probe</c> — are subtracted, and reported as timed too), the style term (Gram matrices
/// of fixed feature maps, the loss and its gradient to those maps), and the whole step as the optimiser runs it; the rest
/// (content and total-variation terms, Adam's update, the clamp, reading the loss) is the difference.
/// </summary>
/// <remarks>Arguments as the step timer's: <c>--weights PATH</c>, <c>--sizes 192,512</c>, <c>--steps 30</c>,
/// <c>--repeats 5</c> (the median is reported), <c>--threads N</c>, <c>--channels-last 0|1</c>; <c>--only PART</c> times one
/// part alone (<c>network</c>, <c>network_autograd</c>, <c>probe</c>, <c>style</c> or <c>step</c>), for a profiler to see that
/// part only, and prints its median. CPU only.</remarks>
internal static class PartTimer
{
    public static int Run(string[] args)
    {
        var options = StepTimer.Parse(args);
        var sizes = StepTimer.Sizes(options, "192,512");
        var steps = StepTimer.Integer(options, "steps", 30);
        var repeats = StepTimer.Integer(options, "repeats", 5);
        using var extractor = StepTimer.OpenExtractor(options, CPU);
        var preset = StyleTransferPresets.CompositionVii;
        var peak = FlopCount.CpuPeak(torch.get_num_threads());
        foreach (var height in sizes)
        {
            var width = (height * 4) / 3;
            using var problem = new BenchmarkProblem(extractor, height, width);
            var flops = FlopCount.PerIteration(height, width, preset.StyleLayers);
            var optimizer = new StyleTransferOptimizer(extractor, new OptimizerOptions { DecayStartFraction = 1, ProgressInterval = steps });
            var parts = new Dictionary<string, Func<double>>(StringComparer.Ordinal)
            {
                ["network"] = () => TimeNetworkAsStep(extractor, problem.Image, preset, steps),
                ["network_autograd"] = () => TimeNetwork(extractor, problem.Image, preset, steps),
                ["probe"] = () => TimeProbe(extractor, problem.Image, preset, steps),
                ["style"] = () => TimeStyle(extractor, problem, preset, steps),
                ["step"] = () =>
                {
                    var clock = Stopwatch.StartNew();
                    optimizer.Optimize(problem.Image, problem.Losses, steps).Dispose();
                    return clock.Elapsed.TotalMilliseconds / steps;
                },
            };
            if (options.GetValueOrDefault("only") is { } only)
            {
                if (!TimeAlone(only, parts, repeats, height, width))
                {
                    return 2;
                }

                continue;
            }

            foreach (var part in parts.Values)
            {
                part(); // warm-up
            }

            // The parts alternate repeat by repeat, so that a busy machine slows them alike.
            var times = parts.Keys.ToDictionary(k => k, _ => new List<double>(), StringComparer.Ordinal);
            for (var r = 0; r < repeats; r++)
            {
                foreach (var (name, part) in parts)
                {
                    times[name].Add(part());
                }
            }

            var median = times.ToDictionary(t => t.Key, t => StepTimer.Median(t.Value), StringComparer.Ordinal);
            // The network's own time: the hand path's probe costs nothing; the autograd probe's products, sums and gradient
            // copies are no part of the network, so they are subtracted from the autograd path (a step's terms are timed apart).
            double network = median["network"], networkAutograd = median["network_autograd"] - median["probe"];
            double Gflops(double operations, double ms) => Math.Round(operations / 1e6 / ms, 1);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                height,
                width,
                threads = torch.get_num_threads(),
                channels_last = extractor.ChannelsLast,
                ms_network = Math.Round(network, 3),
                ms_network_autograd = Math.Round(networkAutograd, 3),
                ms_probe = Math.Round(median["probe"], 3),
                ms_network_autograd_with_probe = Math.Round(median["network_autograd"], 3),
                ms_style = Math.Round(median["style"], 3),
                ms_step = Math.Round(median["step"], 3),
                ms_rest = Math.Round(median["step"] - network - median["style"], 3),
                gflops_network = Gflops(flops["network"], network),
                gflops_network_autograd = Gflops(flops["network"], networkAutograd),
                gflops_style = Gflops(flops["gram"], median["style"]),
                gflops_step = Gflops(flops.Values.Sum(), median["step"]),
                peak_gflops = Math.Round(peak.Gflops, 1),
                peak_formula = peak.Formula,
            }));
        }

        return 0;
    }

    // One part, warmed up and timed `repeats` times; its median printed.
    private static bool TimeAlone(string only, Dictionary<string, Func<double>> parts, int repeats, int height, int width)
    {
        if (!parts.TryGetValue(only, out var part))
        {
            Console.Error.WriteLine($"--only must be one of {string.Join(", ", parts.Keys)}.");
            return false;
        }

        part();
        var median = StepTimer.Median(Enumerable.Range(0, repeats).Select(_ => part()).ToList());
        Console.WriteLine(JsonSerializer.Serialize(new { height, width, threads = torch.get_num_threads(), part = only, ms = Math.Round(median, 3) }));
        return true;
    }

    // The image to differentiate at, the layers the preset reads and a fixed random probe R_l per layer, in the features' own
    // memory layout (clone keeps it), as the style gradient is: a gradient in another layout would make every convolution's
    // backward reorder its input. Owned by the caller's scope.
    private static (Tensor Image, int[] Layers, Tensor[] Probes) Probes(SqueezeNetFeatureExtractor extractor, Tensor start, StyleTransferOptions preset)
    {
        var layers = preset.StyleLayers.Append(preset.ContentLayer).Distinct().ToArray();
        var image = start.clone().requires_grad_(true);
        using var features = extractor.Extract(image.detach(), layers.Max());
        var generator = new torch.Generator(7);
        return (image, layers, layers.Select(l => features[l].clone().normal_(generator: generator)).ToArray());
    }

    // Forward to the deepest layer the preset reads and backward to the input through Σ_l ⟨F_l, R_l⟩ with fixed random
    // R_l: the same network work as a step, with a loss whose own cost is a few elementwise products.
    private static double TimeNetwork(SqueezeNetFeatureExtractor extractor, Tensor start, StyleTransferOptions preset, int steps)
    {
        using var scope = NewDisposeScope();
        var (image, layers, probes) = Probes(extractor, start, preset);
        var last = layers.Max();

        // Inside the allocator's run, as the optimiser's steps are (no return of free memory in the middle).
        using var run = Internal.NativeAllocator.EnterRun(image.shape);
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            using var step = NewDisposeScope();
            using var features = extractor.Extract(image, last);
            var loss = layers.Select((l, i) => features[l].mul(probes[i]).sum()).Aggregate((a, b) => a + b);
            loss.backward();
            _ = loss.item<float>();
            image.grad!.zero_();
        }

        return clock.Elapsed.TotalMilliseconds / steps;
    }

    // The same gradients as TimeNetwork's, through the backward pass a step runs (SegmentedBackward: the stem, the pools and
    // the Fire modules by hand where the kernels apply), handed over by ProbeTerms.
    private static double TimeNetworkAsStep(SqueezeNetFeatureExtractor extractor, Tensor start, StyleTransferOptions preset, int steps)
    {
        using var scope = NewDisposeScope();
        var (image, layers, probes) = Probes(extractor, start, preset);
        var last = layers.Max();
        var bySegments = SegmentedBackward.For(extractor, layers, last) ?? throw new InvalidOperationException("The network has nothing to cut at these layers.");
        using var run = Internal.NativeAllocator.EnterRun(image.shape);
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            using var step = NewDisposeScope();
            // The image's gradient taken over as an Adam step takes it (autograd's pass where it is not formed by hand).
            Tensor? taken = null;
            var values = bySegments.Run(
                image, (_, handOff) => ProbeTerms(handOff, layers, probes), (roots, gradients) => taken = OptimizationSteps.TakeOrBackward(image, roots, gradients));
            taken?.Dispose();
            _ = values.Aggregate((a, b) => a + b).item<float>();
            image.grad?.zero_();
        }

        return clock.Elapsed.TotalMilliseconds / steps;
    }

    // The probe's terms as a step's, at no cost of their own: each layer hands over R_l itself (an alias, which the backward
    // pass owns and disposes; it adds the gradients from the layers above into it in place, so R_l drifts from step to step,
    // which changes no work: the masks come from the unchanged image) and returns a zero value. So only the network is timed.
    private static Tensor[] ProbeTerms(LayerGradients handOff, int[] layers, Tensor[] probes)
    {
        for (var i = 0; i < layers.Length; i++)
        {
            handOff.Add(layers[i], probes[i].alias());
        }

        return [.. layers.Select(_ => torch.zeros([], dtype: ScalarType.Float32))];
    }

    // The autograd probe's own passes, on fixed feature maps: the products and sums giving its value and the R_l-sized
    // gradient autograd forms from them (a copy of R_l here), which TimeNetwork spends outside the network.
    private static double TimeProbe(SqueezeNetFeatureExtractor extractor, Tensor start, StyleTransferOptions preset, int steps)
    {
        using var scope = NewDisposeScope();
        var (image, layers, probes) = Probes(extractor, start, preset);
        using var features = extractor.Extract(image.detach(), layers.Max());
        using var run = Internal.NativeAllocator.EnterRun(image.shape);
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            using var step = NewDisposeScope();
            _ = probes.Select(p => p.clone()).ToArray();
            _ = layers.Select((l, i) => features[l].mul(probes[i]).sum()).Aggregate((a, b) => a + b).item<float>();
        }

        return clock.Elapsed.TotalMilliseconds / steps;
    }

    // The style term alone: Gram matrices of fixed feature maps of the image, the loss, and its gradient to the maps.
    private static double TimeStyle(SqueezeNetFeatureExtractor extractor, BenchmarkProblem problem, StyleTransferOptions preset, int steps)
    {
        using var scope = NewDisposeScope();
        var style = problem.Losses.OfType<StyleLoss>().Single();
        FeatureMaps maps;
        using (var features = extractor.Extract(problem.Image, preset.StyleLayers.Max()))
        {
            maps = new FeatureMaps(problem.Image, Enumerable.Range(0, features.Count).Select(l => features[l].detach().clone().requires_grad_(true)).ToArray());
        }

        using (maps)
        using (Internal.NativeAllocator.EnterRun(problem.Image.shape))
        {
            var clock = Stopwatch.StartNew();
            for (var s = 0; s < steps; s++)
            {
                using var step = NewDisposeScope();
                var loss = style.Compute(maps);
                loss.backward();
                _ = loss.item<float>();
            }

            return clock.Elapsed.TotalMilliseconds / steps;
        }
    }
}
