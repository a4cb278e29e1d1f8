using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Optimization;

namespace NeuralStyle.Cli;

/// <summary>The options of the stylise command and their mapping onto <see cref="StyleTransferOptions"/>.</summary>
internal sealed class StyleOptions
{
    public Argument<FileInfo> Content { get; } = new("content") { Description = "The content image (PNG, JPEG, WebP…)." };

    public Argument<FileInfo[]> Style { get; } = new("style")
    {
        Description = "One or more style images; several are blended (--style-blend) or placed by --style-mask.",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<FileInfo?> Output { get; } = new("--output", "-o") { Description = "Where to write the result (.png, .jpg, .webp). Default: CONTENT-STYLE.png in the current folder." };

    public Option<string> Preset { get; } = new("--preset", "-p")
    {
        Description = "Starting hyper-parameters: composition-vii, the-scream or starry-night.",
        DefaultValueFactory = _ => "composition-vii",
    };

    public Option<int?> Size { get; } = new("--size", "-s") { Description = "Shorter side of the result in pixels (preset: 192)." };

    public Option<int?> StyleSize { get; } = new("--style-size") { Description = "Shorter side the style image is resized to (preset value)." };

    public Option<double?> StyleScale { get; } = new("--style-scale") { Description = "Style size relative to the content's, 0.25 to 4 (overrides --style-size): smaller = finer strokes, larger = bigger strokes." };

    public Option<string?> StyleBlend { get; } = new("--style-blend") { Description = "Comma-separated blend weights, one per style image (normalised to sum 1; default equal)." };

    public Option<FileInfo?> Mask { get; } = new("--mask") { Description = "Where to stylise: white = stylise, black = keep the content, grey blends." };

    public Option<FileInfo[]> StyleMask { get; } = new("--style-mask")
    {
        Description = "A region per style image (repeat once per style, in order): each style applies where its mask is white.",
        DefaultValueFactory = _ => [],
    };

    public Option<string?> PreserveColors { get; } = new("--preserve-colors") { Description = "Keep the content's colours: none (default), luminance or histogram." };

    public Option<int?> Iterations { get; } = new("--iterations", "-i") { Description = "Number of iterations (default 200)." };

    public Option<string?> ContentLayer { get; } = new("--content-layer") { Description = "Content layer, by index or name (e.g. 3 or fire2)." };

    public Option<double?> ContentWeight { get; } = new("--content-weight") { Description = "Weight of the content loss." };

    public Option<string?> ContentLayers { get; } = new("--content-layers") { Description = "Several content layers, comma-separated, by index or name (overrides --content-layer)." };

    public Option<string?> ContentLayerWeights { get; } = new("--content-layer-weights") { Description = "Comma-separated relative weights, one per content layer (times --content-weight)." };

    public Option<string?> StyleLayers { get; } = new("--style-layers") { Description = "Comma-separated style layers by index or name (e.g. 1,4,6,7 or relu1,fire3,fire4,fire5)." };

    public Option<string?> StyleWeights { get; } = new("--style-weights") { Description = "Comma-separated weights, one per style layer." };

    public Option<double?> NormalizeStyleWeights { get; } = new("--normalize-style-weights") { Description = "Scale the style-layer weights so they sum to this total." };

    public Option<double?> StyleStrength { get; } = new("--style-strength") { Description = "Multiplies every style-layer weight (default 1; 0 = no style)." };

    public Option<double?> TvWeight { get; } = new("--tv-weight") { Description = "Weight of the total-variation (smoothness) loss." };

    public Option<OptimizerKind?> Optimizer { get; } = new("--optimizer") { Description = "adam (default) or lbfgs." };

    public Option<double?> LearningRate { get; } = new("--learning-rate", "--lr") { Description = "Initial learning rate (Adam: 3.0; L-BFGS: 1.0)." };

    public Option<double?> DecayedLearningRate { get; } = new("--decayed-lr") { Description = "Adam's learning rate for the final part of the run (default 0.1)." };

    public Option<double?> DecayStart { get; } = new("--decay-start") { Description = "Fraction of the iterations after which --decayed-lr applies (default 0.9; 1 = no decay)." };

    public Option<int?> LbfgsHistory { get; } = new("--lbfgs-history") { Description = "Number of past updates L-BFGS keeps (default 100)." };

    public Option<double?> LbfgsTolerance { get; } = new("--lbfgs-tolerance") { Description = "L-BFGS's termination tolerance on the change of the loss (default 1e-9)." };

    public Option<Initialization?> Init { get; } = new("--init") { Description = "Starting image: content (default), noise, style, blend (content + noise, see --init-noise-ratio) or image (with --init-image)." };

    public Option<double?> InitNoiseRatio { get; } = new("--init-noise-ratio") { Description = "Share of noise for --init blend, 0 to 1 (default 0.5)." };

    public Option<FileInfo?> InitImage { get; } = new("--init-image") { Description = "Starting image for --init image." };

    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed of the noise initialisation (default 0)." };

    public Option<string?> Device { get; } = new("--device", "-d") { Description = "auto (default), cpu, cuda or cuda:N." };

    public Option<int?> Threads { get; } = new("--threads", "-t") { Description = "CPU threads libtorch may use." };

    public Option<FileInfo?> Weights { get; } = new("--weights", "-w") { Description = "SqueezeNet 1.1 weight file (.safetensors or .pth). Default: $NEURALSTYLE_WEIGHTS, the cache, or a verified download." };

    public Option<bool> NoDownload { get; } = new("--no-download") { Description = "Never download the weights." };

    public Option<int> SaveEvery { get; } = new("--save-every") { Description = "Save an intermediate image every N iterations (OUTPUT-NNN.png)." };

    public Option<int?> ProgressInterval { get; } = new("--progress-every") { Description = "Report progress every N iterations (default 10)." };

    public Option<int> MaxPixels { get; } = new("--max-pixels") { Description = "Refuse input images with more pixels than this.", DefaultValueFactory = _ => Imaging.ImageLoadOptions.DefaultMaxPixels };

    public Option<long> MaxImagePixels { get; } = new("--max-image-pixels")
    {
        Description = "Refuse to run when the resized content or style image would have more pixels than this (memory grows with it).",
        DefaultValueFactory = _ => StyleTransferOptions.DefaultMaxImagePixels,
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print nothing but errors." };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Content);
        command.Arguments.Add(Style);
        foreach (var option in new Option[]
        {
            Output, Preset, Size, StyleSize, StyleScale, StyleBlend, Mask, StyleMask, PreserveColors, Iterations, ContentLayer, ContentWeight,
            ContentLayers, ContentLayerWeights, StyleLayers, StyleWeights, NormalizeStyleWeights, StyleStrength, TvWeight, Optimizer,
            LearningRate, DecayedLearningRate, DecayStart, LbfgsHistory, LbfgsTolerance, Init, InitNoiseRatio, InitImage, Seed, Device,
            Threads, Weights, NoDownload, SaveEvery, ProgressInterval, MaxPixels, MaxImagePixels, Quiet,
        })
        {
            command.Options.Add(option);
        }

        SaveEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--save-every must not be negative."); } });
    }

    /// <summary>Maps the parsed command line onto options, starting from the preset.</summary>
    /// <exception cref="ArgumentException">A value is malformed or out of range.</exception>
    public StyleTransferOptions ToOptions(ParseResult parse)
    {
        var o = StyleTransferPresets.Get(parse.GetValue(Preset)!);
        var optimizer = parse.GetValue(Optimizer) ?? o.Optimizer;
        var rate = parse.GetValue(LearningRate);
        var styleLayers = parse.GetValue(StyleLayers) is { } layers ? ParseLayers(layers) : o.StyleLayers;
        o = o with
        {
            ImageSize = parse.GetValue(Size) ?? o.ImageSize,
            StyleSize = parse.GetValue(StyleSize) ?? parse.GetValue(Size) ?? o.StyleSize,
            Iterations = parse.GetValue(Iterations) ?? o.Iterations,
            ContentLayer = parse.GetValue(ContentLayer) is { } layer ? ParseLayer(layer) : o.ContentLayer,
            ContentWeight = parse.GetValue(ContentWeight) ?? o.ContentWeight,
            ContentLayers = parse.GetValue(ContentLayers) is { } contentLayers ? ParseLayers(contentLayers) : o.ContentLayers,
            ContentLayerWeights = parse.GetValue(ContentLayerWeights) is { } contentWeights ? ParseNumbers(contentWeights, "--content-layer-weights") : o.ContentLayerWeights,
            StyleScale = parse.GetValue(StyleScale) ?? o.StyleScale,
            StyleBlendWeights = parse.GetValue(StyleBlend) is { } blend ? ParseNumbers(blend, "--style-blend") : o.StyleBlendWeights,
            PreserveColors = parse.GetValue(PreserveColors) is { } colors ? ParseColorPreservation(colors) : o.PreserveColors,
            NormalizeStyleWeightsTo = parse.GetValue(NormalizeStyleWeights) ?? o.NormalizeStyleWeightsTo,
            StyleStrength = parse.GetValue(StyleStrength) ?? o.StyleStrength,
            DecayedLearningRate = parse.GetValue(DecayedLearningRate) ?? o.DecayedLearningRate,
            DecayStartFraction = parse.GetValue(DecayStart) ?? o.DecayStartFraction,
            LbfgsHistorySize = parse.GetValue(LbfgsHistory) ?? o.LbfgsHistorySize,
            LbfgsTolerance = parse.GetValue(LbfgsTolerance) ?? o.LbfgsTolerance,
            InitNoiseRatio = parse.GetValue(InitNoiseRatio) ?? o.InitNoiseRatio,
            StyleLayers = styleLayers,
            StyleWeights = parse.GetValue(StyleWeights) is { } weights ? ParseNumbers(weights, "--style-weights") : o.StyleWeights,
            TotalVariationWeight = parse.GetValue(TvWeight) ?? o.TotalVariationWeight,
            Optimizer = optimizer,
            LearningRate = optimizer == OptimizerKind.Adam && rate is { } r1 ? r1 : o.LearningRate,
            LbfgsLearningRate = optimizer == OptimizerKind.Lbfgs && rate is { } r2 ? r2 : o.LbfgsLearningRate,
            Initialization = parse.GetValue(Init) ?? (parse.GetValue(InitImage) is null ? o.Initialization : Initialization.Image),
            Seed = parse.GetValue(Seed) ?? o.Seed,
            Device = parse.GetValue(Device) ?? o.Device,
            Threads = parse.GetValue(Threads) ?? o.Threads,
            WeightsPath = parse.GetValue(Weights)?.FullName,
            AllowWeightsDownload = !parse.GetValue(NoDownload),
            ProgressInterval = parse.GetValue(ProgressInterval) ?? o.ProgressInterval,
            MaxImagePixels = parse.GetValue(MaxImagePixels),
        };
        if (parse.GetValue(StyleLayers) is not null && parse.GetValue(StyleWeights) is null && styleLayers.Count != o.StyleWeights.Count)
        {
            throw new ArgumentException($"--style-layers names {styleLayers.Count} layers; give as many --style-weights.");
        }

        return o;
    }

    internal static int ParseLayer(string text) => SqueezeNetFeatureExtractor.ParseLayer(text);

    internal static ColorPreservation ParseColorPreservation(string text) => text.Trim().ToUpperInvariant() switch
    {
        "NONE" or "OFF" => ColorPreservation.None,
        "LUMINANCE" or "LUMA" => ColorPreservation.Luminance,
        "HISTOGRAM" or "HISTOGRAM-MATCH" or "HISTOGRAMMATCH" => ColorPreservation.HistogramMatch,
        _ => throw new ArgumentException($"--preserve-colors: '{text}' is not one of none, luminance, histogram."),
    };

    internal static IReadOnlyList<int> ParseLayers(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseLayer).ToArray();

    internal static IReadOnlyList<double> ParseNumbers(string text, string option)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new ArgumentException($"{option}: '{s}' is not a number."))
            .ToArray();
}
