using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Weights;
using TorchSharp;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Time to a finished picture: one preset run from image files to a saved PNG through the public API, timed from before
/// the images are decoded and the weights read to after the PNG is written (libtorch and Skia are loaded before the clock
/// starts, as the reference imports torch and PIL before its clock). Prints one JSON line, with the time the JIT compiler
/// spent inside the clock (<c>jit_s</c>, <c>jit_methods</c>). Run one process per measurement, so that no cache of an
/// earlier run helps.
/// </summary>
/// <remarks>
/// Arguments: <c>--content PATH --style PATH --preset NAME --out PNG --weights PATH</c>, <c>--threads N</c>,
/// <c>--schedule seed|quick</c>, <c>--optimizer adam|lbfgs</c>, <c>--iterations N</c>, <c>--lr R</c>, <c>--history N</c>, <c>--decode full|reduced</c>,
/// <c>--coarse SIZE --fine-fraction F</c>, <c>--warm 1</c>, <c>--size N --style-size N</c>.
/// </remarks>
internal static class FinishRunner
{
    public static int Run(string[] args)
    {
        var options = StepTimer.Parse(args);
        string Need(string key) => options.GetValueOrDefault(key) ?? throw new ArgumentException($"Pass --{key}.");
        var preset = StyleTransferPresets.Get(Need("preset"));
        preset = options.GetValueOrDefault("schedule") == "quick" ? StyleTransferPresets.Quick(preset) : preset;
        var kind = options.GetValueOrDefault("optimizer") is { } named ? (named == "lbfgs" ? OptimizerKind.Lbfgs : OptimizerKind.Adam) : preset.Optimizer.Kind;
        var optimizer = preset.Optimizer with { Kind = kind };
        if (options.GetValueOrDefault("lr") is { } rate)
        {
            optimizer = kind == OptimizerKind.Lbfgs
                ? optimizer with { LbfgsLearningRate = double.Parse(rate, CultureInfo.InvariantCulture) }
                : optimizer with { LearningRate = double.Parse(rate, CultureInfo.InvariantCulture) };
        }

        if (options.GetValueOrDefault("history") is { } history)
        {
            optimizer = optimizer with { LbfgsHistorySize = int.Parse(history, CultureInfo.InvariantCulture) };
        }

        var threads = StepTimer.Integer(options, "threads", 2);
        var run = preset with
        {
            Iterations = options.GetValueOrDefault("iterations") is { } iterations ? int.Parse(iterations, CultureInfo.InvariantCulture) : preset.Iterations,
            ImageSize = options.GetValueOrDefault("size") is { } size ? int.Parse(size, CultureInfo.InvariantCulture) : preset.ImageSize,
            StyleSize = options.GetValueOrDefault("style-size") is { } styleSize ? int.Parse(styleSize, CultureInfo.InvariantCulture) : preset.StyleSize,
            Optimizer = optimizer with { ProgressInterval = 1 },
            Weights = new WeightsOptions { Path = Need("weights"), AllowDownload = false },
            Runtime = new RuntimeOptions { Threads = threads, Device = "cpu" },
        };

        if (options.GetValueOrDefault("coarse") is { } coarse)
        {
            run = run with
            {
                HighResolution = run.HighResolution with
                {
                    CoarseToFine = HighResolution.CoarseToFineMode.On,
                    CoarseSize = int.Parse(coarse, CultureInfo.InvariantCulture),
                    FineIterationsFraction = double.Parse(options.GetValueOrDefault("fine-fraction") ?? "1", CultureInfo.InvariantCulture),
                },
            };
        }

        // libtorch's and Skia's native libraries are loaded before the clock, as the reference imports torch and PIL before its clock.
        using (torch.zeros(1))
        using (new SkiaSharp.SKBitmap(1, 1))
        {
        }

        if (options.ContainsKey("warm"))
        {
            // A throwaway run first: the clock then measures a process that has already run once (code compiled, caches filled).
            using var warmImages = RunImages.Load(Need("content"), new RunImageFiles { Styles = [Need("style")] }, run, new ImageLoadOptions());
            using var warm = StyleTransfer.RunAsync(warmImages.Content!, warmImages.Styles[0], warmImages.ApplyTo(run) with { Iterations = 5 }).GetAwaiter().GetResult();
        }

        // JIT compilation inside the clock (the library's first use in this process), reported beside the wall time.
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var clock = Stopwatch.StartNew();
        // Decoded whole and resized by the library, as the reference decodes whole and resizes (PIL, antialiased bilinear);
        // `--decode reduced` decodes at the size the run needs, as the command-line tool does.
        using var images = options.GetValueOrDefault("decode") == "reduced"
            ? RunImages.Load(Need("content"), new RunImageFiles { Styles = [Need("style")] }, run, new ImageLoadOptions())
            : null;
        using var content = images is null ? ImageFile.Load(Need("content")) : null;
        using var style = images is null ? ImageFile.Load(Need("style")) : null;
        run = images?.ApplyTo(run) ?? run;
        var phases = new Dictionary<string, double>();
        var firstIteration = double.NaN;
        var curve = new List<double>();
        var progress = new InlineProgress(p =>
        {
            var at = Math.Round(clock.Elapsed.TotalSeconds, 3);
            if (p.Phase != StyleTransferPhase.Optimizing || p.Iteration == 0)
            {
                phases.TryAdd(p.Phase.ToString(), at);
            }
            else
            {
                firstIteration = double.IsNaN(firstIteration) ? at : firstIteration;
                if (p.Iteration % 10 == 0)
                {
                    curve.Add(Math.Round(p.TotalLoss));
                }
            }
        });
        using var result = StyleTransfer.RunAsync(content ?? images!.Content!, style ?? images!.Styles[0], run, progress).GetAwaiter().GetResult();
        ImageFile.Save(result.Image, Need("out"));
        clock.Stop();

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["runner"] = "neuralstyle",
            ["preset"] = Need("preset"),
            ["schedule"] = options.GetValueOrDefault("schedule") ?? "seed",
            ["optimizer"] = kind.ToString().ToLowerInvariant(),
            ["iterations"] = run.Iterations,
            ["iterations_done"] = result.Iterations,
            ["threads"] = threads,
            ["decode"] = images is null ? "full" : "reduced",
            ["wall_s"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            ["total"] = result.FinalLosses.Total,
            ["phases_s"] = phases,
            ["first_iteration_s"] = firstIteration,
            ["loss_every_10"] = curve,
            ["out"] = Need("out"),
            ["jit_s"] = Math.Round((System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds, 3),
            ["jit_methods"] = System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore,
        }));
        return 0;
    }

    /// <summary>Calls back on the reporting thread (unlike <see cref="Progress{T}"/>, which posts), so the times are when each phase began.</summary>
    private sealed class InlineProgress(Action<StyleTransferProgress> report) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value) => report(value);
    }
}
