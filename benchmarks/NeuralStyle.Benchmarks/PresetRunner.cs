using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Runs the seed's three presets (Tübingen with Composition VII, The Scream, Starry Night) end to end, prints one JSON
/// line per preset (ms/step, final losses) and writes, per preset, the result PNG and the preprocessed content and style
/// tensors as raw little-endian float32 (<c>NAME.content.f32</c> with <c>NAME.json</c> giving the shapes), so that
/// <c>eng/reference-on-tensors.py</c> can run the PyTorch reference on exactly the same inputs.
/// </summary>
/// <remarks>Arguments: <c>--images DIR</c> (tubingen.jpg and the paintings), <c>--out DIR</c>, <c>--weights PATH</c>,
/// <c>--device</c>, <c>--steps 200</c>, <c>--threads N</c>, <c>--presets a,b,c</c>.</remarks>
internal static class PresetRunner
{
    private static readonly (string Name, string Style, StyleTransferOptions Options)[] Presets =
    [
        ("composition_vii", "composition_vii.jpg", StyleTransferPresets.CompositionVii),
        ("the_scream", "the_scream.jpg", StyleTransferPresets.TheScream),
        ("starry_night", "starry_night.jpg", StyleTransferPresets.StarryNight),
    ];

    public static int Run(string[] args)
    {
        var options = StepTimer.Parse(args);
        var images = options.GetValueOrDefault("images") ?? throw new ArgumentException("Pass --images DIR.");
        var output = options.GetValueOrDefault("out") ?? "preset-results";
        var weights = options.GetValueOrDefault("weights") ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new ArgumentException("Pass --weights PATH or set NEURALSTYLE_WEIGHTS.");
        var device = DeviceSelector.Resolve(options.GetValueOrDefault("device") ?? "auto");
        var steps = StepTimer.Integer(options, "steps", 200);
        var wanted = (options.GetValueOrDefault("presets") ?? string.Join(",", Presets.Select(p => p.Name))).Split(',');
        StepTimer.ApplyThreads(options);

        Directory.CreateDirectory(output);
        using var extractor = SqueezeNetFeatureExtractor.FromFile(weights, device);
        using var contentBitmap = ImageFile.Load(Path.Combine(images, "tubingen.jpg"));
        foreach (var (name, styleFile, preset) in Presets.Where(p => wanted.Contains(p.Name)))
        {
            using var scope = NewDisposeScope();
            using var styleBitmap = ImageFile.Load(Path.Combine(images, styleFile));
            var content = ImageTensor.FromBitmap(contentBitmap, preset.ImageSize);
            var style = ImageTensor.FromBitmap(styleBitmap, preset.StyleSize);
            WriteRaw(Path.Combine(output, $"{name}.content.f32"), content);
            WriteRaw(Path.Combine(output, $"{name}.style.f32"), style);
            File.WriteAllText(Path.Combine(output, $"{name}.json"), JsonSerializer.Serialize(new { content = content.shape, style = style.shape }));

            var c = content.to(device);
            var s = style.to(device);
            using var noGradTargets = no_grad();
            using var fc = extractor.Extract(c, preset.ContentLayer);
            using var fs = extractor.Extract(s, preset.StyleLayers.Max());
            using var contentLoss = new ContentLoss(preset.ContentLayer, fc[preset.ContentLayer], preset.ContentWeight);
            using var styleLoss = new StyleLoss(preset.StyleLayers, preset.StyleLayers.Select(l => GramMatrix.Compute(fs[l])).ToArray(), preset.StyleWeights);
            using var tvLoss = new TotalVariationLoss(preset.TotalVariationWeight);
            noGradTargets.Dispose();

            var settings = preset.Optimizer with { ProgressInterval = steps };
            var optimizer = new StyleTransferOptimizer(extractor, settings);
            var total = Stopwatch.StartNew();
            using var result = optimizer.Optimize(c, [contentLoss, styleLoss, tvLoss], steps);
            total.Stop();
            using (var bitmap = ImageTensor.ToBitmap(result.Image))
            {
                ImageFile.Save(bitmap, Path.Combine(output, $"{name}.png"));
            }

            Console.WriteLine(JsonSerializer.Serialize(new
            {
                runner = "neuralstyle",
                preset = name,
                device = device.ToString(),
                threads = torch.get_num_threads(),
                size = result.Image.shape.Skip(2).ToArray(),
                steps,
                loop_s = Math.Round(result.Elapsed.TotalSeconds, 3),
                ms_per_step = Math.Round(result.Elapsed.TotalMilliseconds / Math.Max(1, steps), 2),
                content = result.FinalLosses.Content,
                style = result.FinalLosses.Style,
                tv = result.FinalLosses.TotalVariation,
                total = result.FinalLosses.Total,
            }));
        }

        return 0;
    }

    private static void WriteRaw(string path, Tensor tensor)
    {
        using var cpu = tensor.contiguous().cpu();
        var values = cpu.data<float>().ToArray();
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }
}
