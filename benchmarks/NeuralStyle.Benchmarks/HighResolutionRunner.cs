using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// The measurement behind docs/high-resolution.md: for each preset, a plain run at 256 px, a plain run at the large size
/// and a coarse-to-fine run at the large size; each result is downsampled to 256 px and its style loss evaluated there
/// against the 256 px run's style targets. Prints one JSON line per run and writes the PNGs.
/// </summary>
/// <remarks>Arguments: <c>--images DIR</c> (tubingen.jpg and the paintings, or <c>--content FILE --style FILE</c>),
/// <c>--out DIR</c>, <c>--weights PATH</c>, <c>--size 1024</c>, <c>--presets a,b</c>, <c>--device</c>, <c>--threads N</c>,
/// <c>--fine-lr R</c>, <c>--fine-fraction F</c>, <c>--anchor W</c>, <c>--style-anchor W</c>, <c>--skip-plain 1</c> (leave out the slow plain run at the large size), <c>--skip-coarse-to-fine 1</c>.</remarks>
internal static class HighResolutionRunner
{
    private const int EvaluationSize = 256;

    public static int Run(string[] args)
    {
        var o = StepTimer.Parse(args);
        var output = o.GetValueOrDefault("out") ?? "highres-results";
        var weights = o.GetValueOrDefault("weights") ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new ArgumentException("Pass --weights PATH or set NEURALSTYLE_WEIGHTS.");
        var size = int.Parse(o.GetValueOrDefault("size") ?? "1024", System.Globalization.CultureInfo.InvariantCulture);
        var device = o.GetValueOrDefault("device") ?? "auto";
        StepTimer.ApplyThreads(o);

        Directory.CreateDirectory(output);
        var presets = (o.GetValueOrDefault("presets") ?? "composition_vii,the_scream,starry_night").Split(',');
        using var extractor = SqueezeNetFeatureExtractor.FromFile(weights, DeviceSelector.Resolve(device));
        foreach (var preset in presets)
        {
            var contentPath = o.GetValueOrDefault("content") ?? Path.Combine(o["images"], "tubingen.jpg");
            var stylePath = o.GetValueOrDefault("style") ?? Path.Combine(o["images"], preset + ".jpg");
            using var content = ImageFile.Load(contentPath);
            using var style = ImageFile.Load(stylePath);
            var options = StyleTransferPresets.Get(preset) with { Runtime = StyleTransferPresets.Get(preset).Runtime with { Device = device }, Weights = StyleTransferPresets.Get(preset).Weights with { Path = weights, AllowDownload = false } };
            if (o.GetValueOrDefault("fine-lr") is { } fineRate)
            {
                options = options with { HighResolution = options.HighResolution with { FineLearningRate = double.Parse(fineRate, System.Globalization.CultureInfo.InvariantCulture) } };
            }

            if (o.GetValueOrDefault("fine-fraction") is { } fraction)
            {
                options = options with { HighResolution = options.HighResolution with { FineIterationsFraction = double.Parse(fraction, System.Globalization.CultureInfo.InvariantCulture) } };
            }

            if (o.GetValueOrDefault("anchor") is { } anchorWeight)
            {
                options = options with { HighResolution = options.HighResolution with { StageAnchorWeight = double.Parse(anchorWeight, System.Globalization.CultureInfo.InvariantCulture) } };
            }

            if (o.GetValueOrDefault("style-anchor") is { } styleAnchorWeight)
            {
                options = options with { HighResolution = options.HighResolution with { StageStyleAnchorWeight = double.Parse(styleAnchorWeight, System.Globalization.CultureInfo.InvariantCulture) } };
            }

            var runs = new[]
            {
                ("plain-256", options with { ImageSize = EvaluationSize, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.Off } }),
                ($"plain-{size}", options with { ImageSize = size, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.Off } }),
                ($"coarse-to-fine-{size}", options with { ImageSize = size, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.On, CoarseSize = EvaluationSize } }),
            };
            var selected = runs
                .Where(r => o.GetValueOrDefault("skip-plain") is null || !r.Item1.StartsWith($"plain-{size}", StringComparison.Ordinal))
                .Where(r => o.GetValueOrDefault("skip-coarse-to-fine") is null || !r.Item1.StartsWith("coarse-to-fine", StringComparison.Ordinal));
            foreach (var (name, runOptions) in selected)
            {
                var stopwatch = Stopwatch.StartNew();
                using var result = StyleTransfer.RunAsync(content, style, runOptions, cancellationToken: CancellationToken.None).GetAwaiter().GetResult();
                stopwatch.Stop();
                ImageFile.Save(result.Image, Path.Combine(output, $"{preset}-{name}.png"));
                var (styleLoss256, contentLoss256) = LossesAt(extractor, result.Image, content, style, options);
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    preset,
                    run = name,
                    width = result.Image.Width,
                    height = result.Image.Height,
                    seconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1),
                    style_loss_at_256 = styleLoss256,
                    content_loss_at_256 = contentLoss256,
                    final = result.FinalLosses.Terms,
                }));
            }
        }

        return 0;
    }

    /// <summary>
    /// The preset's style and content losses of <paramref name="image"/> downsampled to 256 px, against the 256 px run's
    /// targets: together they show whether the balance of style and content (the look) held at the larger size.
    /// </summary>
    private static (double Style, double Content) LossesAt(
        SqueezeNetFeatureExtractor extractor, SkiaSharp.SKBitmap image, SkiaSharp.SKBitmap content, SkiaSharp.SKBitmap style, StyleTransferOptions preset)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var small = ImageTensor.FromBitmap(image, EvaluationSize).to(extractor.Device);
        var styleImage = ImageTensor.FromBitmap(style, preset.StyleSize).to(extractor.Device);
        var last = preset.StyleLayers.Max();
        using var fs = extractor.Extract(styleImage, last);
        using var loss = new StyleLoss(preset.StyleLayers, preset.StyleLayers.Select(l => GramMatrix.Compute(fs[l])).ToArray(), preset.StyleWeights);
        var contentImage = ImageTensor.FromBitmap(content, EvaluationSize).to(extractor.Device);
        using var fc = extractor.Extract(contentImage, preset.ContentLayer);
        using var contentLoss = new ContentLoss(preset.ContentLayer, fc[preset.ContentLayer], preset.ContentWeight);
        using var fi = extractor.Extract(small, Math.Max(last, preset.ContentLayer));
        return (loss.Compute(fi).item<float>(), contentLoss.Compute(fi).item<float>());
    }
}
