using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Plain timing of the optimiser's steps: warm-up, then the median of several timed runs, with the device
/// synchronised before the clock is read. Prints one JSON line per case. Runs where BenchmarkDotNet cannot (the GPU machine).
/// </summary>
/// <remarks>
/// Arguments: <c>--weights PATH</c> (default $NEURALSTYLE_WEIGHTS), <c>--device cpu|cuda</c>, <c>--sizes 192,512</c>
/// (shorter side; 4:3 images), <c>--steps 50</c>, <c>--repeats 3</c>, <c>--threads N</c>,
/// <c>--style-gradient explicit|autograd|both</c> (the library's explicit style gradient, or autograd through the Gram matrix
/// as the PyTorch reference does; <c>both</c> alternates them),
/// <c>--channels-last 0|1</c> (the extractor's memory layout; default on for the CPU, see docs/performance.md),
/// <c>--cancellable 0|1|both</c> (whether the steps get a cancellation token that can be cancelled, as every run of the
/// library and the tool does, or none; <c>both</c> alternates them, to show what honouring cancellation costs a step).
/// <c>peak_rss_mb</c> is the process's peak resident memory so far: run one size per process to read it per size.
/// </remarks>
internal static class StepTimer
{
    public static int Run(string[] args)
    {
        var options = Parse(args);
        var device = DeviceSelector.Resolve(options.GetValueOrDefault("device") ?? "auto");
        var sizes = Sizes(options, "192,512,1024");
        var steps = Integer(options, "steps", 50);
        var repeats = Integer(options, "repeats", 3);
        using var extractor = OpenExtractor(options, device);
        var peak = FlopCount.CpuPeak(torch.get_num_threads());

        var baselineRss = System.Diagnostics.Process.GetCurrentProcess().WorkingSet64;
        // "both" alternates the two ways of forming the style gradient repeat by repeat, so a busy machine slows both alike.
        var modes = (options.GetValueOrDefault("style-gradient") ?? "explicit") switch
        {
            "explicit" => new[] { true },
            "autograd" => [false],
            "both" => [true, false],
            var other => throw new ArgumentException($"--style-gradient must be explicit, autograd or both; got '{other}'."),
        };
        var cancellable = (options.GetValueOrDefault("cancellable") ?? "0") switch
        {
            "0" => new[] { false },
            "1" => [true],
            "both" => [false, true],
            var other => throw new ArgumentException($"--cancellable must be 0, 1 or both; got '{other}'."),
        };
        var runs = modes.SelectMany(explicitGradient => cancellable.Select(live => (ExplicitGradient: explicitGradient, Cancellable: live))).ToArray();
        using var cancellation = new CancellationTokenSource();
        foreach (var size in sizes)
        {
            var problems = runs.Select(run => new BenchmarkProblem(extractor, size, (size * 4) / 3, run.ExplicitGradient)).ToArray();
            try
            {
                var flops = FlopCount.PerIteration(size, (size * 4) / 3, StyleTransferPresets.CompositionVii.StyleLayers).Values.Sum();
                var settings = new OptimizerOptions { DecayStartFraction = 1, ProgressInterval = steps };
                var optimizer = new StyleTransferOptimizer(extractor, settings);
                var times = runs.Select(_ => new List<double>()).ToArray();
                var losses = new LossValues?[runs.Length];
                var tokens = runs.Select(run => run.Cancellable ? cancellation.Token : CancellationToken.None).ToArray();
                for (var m = 0; m < runs.Length; m++)
                {
                    optimizer.Optimize(problems[m].Image, problems[m].Losses, steps, cancellationToken: tokens[m]).Dispose(); // warm-up
                }

                for (var r = 0; r < repeats; r++)
                {
                    for (var m = 0; m < runs.Length; m++)
                    {
                        Synchronize(device);
                        var stopwatch = Stopwatch.StartNew();
                        using var result = optimizer.Optimize(problems[m].Image, problems[m].Losses, steps, cancellationToken: tokens[m]);
                        Synchronize(device);
                        times[m].Add(stopwatch.Elapsed.TotalMilliseconds / steps);
                        losses[m] = result.FinalLosses;
                    }
                }

                for (var m = 0; m < runs.Length; m++)
                {
                    var median = Median(times[m]);
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        runner = "neuralstyle",
                        device = device.ToString(),
                        threads = torch.get_num_threads(),
                        height = size,
                        width = (size * 4) / 3,
                        steps,
                        style_gradient = runs[m].ExplicitGradient ? "explicit" : "autograd",
                        cancellable = runs[m].Cancellable,
                        channels_last = extractor.ChannelsLast,
                        ms_per_step = Math.Round(median, 3),
                        ms_per_step_min = Math.Round(times[m].Min(), 3),
                        total_loss = losses[m]!.Total,
                        gflop_per_step = Math.Round(flops / 1e9, 3),
                        gflops = Math.Round(flops / 1e6 / median, 1),
                        peak_gflops = Math.Round(peak.Gflops, 1),
                        peak_rss_mb = Math.Round(System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
                        peak_over_baseline_mb = Math.Round((System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 - baselineRss) / 1048576.0, 1),
                    }));
                }
            }
            finally
            {
                foreach (var problem in problems)
                {
                    problem.Dispose();
                }
            }
        }

        return 0;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize();
        }
    }

    /// <summary>
    /// The network the timers share: <c>--weights</c> (or $NEURALSTYLE_WEIGHTS) on <paramref name="device"/>, after
    /// <c>--threads</c> is applied, in the memory layout <c>--channels-last 0|1</c> asks for (the device's default otherwise).
    /// </summary>
    internal static SqueezeNetFeatureExtractor OpenExtractor(Dictionary<string, string> options, Device device)
    {
        var weights = options.GetValueOrDefault("weights") ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new ArgumentException("Pass --weights PATH or set NEURALSTYLE_WEIGHTS.");
        ApplyThreads(options);
        var extractor = SqueezeNetFeatureExtractor.FromFile(weights, device);
        if (options.GetValueOrDefault("channels-last") is { } channelsLast)
        {
            extractor.ChannelsLast = channelsLast is "1" or "true";
        }

        return extractor;
    }

    /// <summary>Sets libtorch's thread count to <c>--threads</c> where it is given.</summary>
    internal static void ApplyThreads(Dictionary<string, string> options)
    {
        if (options.GetValueOrDefault("threads") is { } threads)
        {
            torch.set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The image sizes (shorter sides) of <c>--sizes</c>, comma-separated, or <paramref name="defaults"/>.</summary>
    /// <summary>The middle value of <paramref name="times"/> (the upper of the two middle ones for an even count).</summary>
    internal static double Median(IEnumerable<double> times)
    {
        var sorted = times.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The whole number given as <c>--name</c>, or <paramref name="fallback"/>.</summary>
    internal static int Integer(Dictionary<string, string> options, string name, int fallback) =>
        options.GetValueOrDefault(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    internal static int[] Sizes(Dictionary<string, string> options, string defaults) =>
        (options.GetValueOrDefault("sizes") ?? defaults).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    internal static Dictionary<string, string> Parse(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }

        return result;
    }
}

/// <summary>A style-transfer problem of a given size with formula-defined content and style images (no decoding).</summary>
internal sealed class BenchmarkProblem : IDisposable
{
    private readonly LossBase[] _losses;

    public BenchmarkProblem(IFeatureExtractor extractor, int height, int width, bool explicitStyleGradient = true)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var y = arange(height, dtype: float32).reshape(1, 1, height, 1);
        var x = arange(width, dtype: float32).reshape(1, 1, 1, width);
        var c = arange(3, dtype: float32).reshape(1, 3, 1, 1);
        var content = sin((y * 0.05) + (x * 0.031) + (c * 1.7)).mul(1.5).to(extractor.Device);
        var style = cos((y * 0.023) - (x * 0.041) + (c * 0.9)).mul(1.2).add(c * 0.1).to(extractor.Device);
        var preset = StyleTransferPresets.CompositionVii;
        using var fc = extractor.Extract(content, preset.ContentLayer);
        using var fs = extractor.Extract(style, preset.StyleLayers.Max());
        var grams = preset.StyleLayers.Select(l => GramMatrix.Compute(fs[l])).ToArray();
        _losses =
        [
            new ContentLoss(preset.ContentLayer, fc[preset.ContentLayer], preset.ContentWeight),
            explicitStyleGradient
                ? new StyleLoss(preset.StyleLayers, grams, preset.StyleWeights)
                : new AutogradStyleLoss(preset.StyleLayers, grams, preset.StyleWeights),
            new TotalVariationLoss(preset.TotalVariationWeight),
        ];
        Image = content.DetachFromDisposeScope();
    }

    public Tensor Image { get; }

    public IReadOnlyList<ILoss> Losses => _losses;

    public void Dispose()
    {
        Image.Dispose();
        foreach (var loss in _losses)
        {
            loss.Dispose();
        }
    }
}
