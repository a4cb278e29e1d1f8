using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
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

    public Option<string> Preset { get; } = CliValues.Name(
        "--preset", "Starting hyper-parameters: composition-vii, the-scream or starry-night.", StyleTransferPresets.Names, "composition-vii", "-p");

    public Option<string> Schedule { get; } = CliValues.Name(
        "--schedule", "seed (default: Adam, 200 iterations) or quick (L-BFGS, 40 iterations: a lower loss in about a third of the time, a softer look).", StyleTransferPresets.Schedules, "seed");

    public Option<int?> Size { get; } = CliValues.Int("--size", "Shorter side of the result in pixels (preset: 192).", "-s");

    public Option<int?> StyleSize { get; } = CliValues.Int("--style-size", "Shorter side the style image is resized to (preset value).");

    public Option<double?> StyleScale { get; } = CliValues.Double("--style-scale", "Style size relative to the content's, 0.25 to 4 (overrides --style-size): smaller = finer strokes, larger = bigger strokes.");

    public Option<string?> StyleBlend { get; } = new("--style-blend") { Description = "Comma-separated blend weights, one per style image (normalised to sum 1; default equal)." };

    public Option<FileInfo?> Mask { get; } = new("--mask") { Description = "Where to stylise: white = stylise, black = keep the content, grey blends." };

    public Option<FileInfo[]> StyleMask { get; } = new("--style-mask")
    {
        Description = "A region per style image (repeat once per style, in order): each style applies where its mask is white.",
        DefaultValueFactory = _ => [],
    };

    public Option<string?> PreserveColors { get; } = new("--preserve-colors") { Description = "Keep the content's colours: none (default), luminance or histogram." };

    public Option<int?> Iterations { get; } = CliValues.Int("--iterations", "Number of iterations (default 200).", "-i");

    public Option<string?> ContentLayer { get; } = new("--content-layer") { Description = "Content layer, by index or name (e.g. 3 or fire2)." };

    public Option<double?> ContentWeight { get; } = CliValues.Double("--content-weight", "Weight of the content loss.");

    public Option<string?> ContentLayers { get; } = new("--content-layers") { Description = "Several content layers, comma-separated, by index or name (overrides --content-layer)." };

    public Option<string?> ContentLayerWeights { get; } = new("--content-layer-weights") { Description = "Comma-separated relative weights, one per content layer (times --content-weight)." };

    public Option<string?> StyleLayers { get; } = new("--style-layers") { Description = "Comma-separated style layers by index or name (e.g. 1,4,6,7 or relu1,fire3,fire4,fire5)." };

    public Option<string?> StyleWeights { get; } = new("--style-weights") { Description = "Comma-separated weights, one per style layer." };

    public Option<double?> NormalizeStyleWeights { get; } = CliValues.Double("--normalize-style-weights", "Scale the style-layer weights so they sum to this total.");

    public Option<double?> StyleStrength { get; } = CliValues.Double("--style-strength", "Multiplies every style-layer weight (default 1; 0 = no style).");

    public Option<double?> TvWeight { get; } = CliValues.Double("--tv-weight", "Weight of the total-variation (smoothness) loss.");

    public Option<OptimizerKind?> Optimizer { get; } = CliValues.Choice<OptimizerKind>("--optimizer", "adam (default) or lbfgs.");

    public Option<double?> LearningRate { get; } = CliValues.Double("--learning-rate", "Initial learning rate (Adam: 3.0; L-BFGS: 1.0).", "--lr");

    public Option<double?> DecayedLearningRate { get; } = CliValues.Double("--decayed-lr", "Adam's learning rate for the final part of the run (default 0.1).");

    public Option<double?> DecayStart { get; } = CliValues.Double("--decay-start", "Fraction of the iterations after which --decayed-lr applies (default 0.9; 1 = no decay).");

    public Option<int?> LbfgsHistory { get; } = CliValues.Int("--lbfgs-history", "Number of past updates L-BFGS keeps (default 10).");

    public Option<double?> LbfgsTolerance { get; } = CliValues.Double("--lbfgs-tolerance", "L-BFGS's termination tolerance on the change of the loss (default 1e-9).");

    public Option<Initialization?> Init { get; } = CliValues.Choice<Initialization>("--init", "Starting image: content (default), noise, style, blend (content + noise, see --init-noise-ratio) or image (with --init-image).");

    public Option<double?> InitNoiseRatio { get; } = CliValues.Double("--init-noise-ratio", "Share of noise for --init blend, 0 to 1 (default 0.5).");

    public Option<FileInfo?> InitImage { get; } = new("--init-image") { Description = "Starting image for --init image." };

    public Option<int?> Seed { get; } = CliValues.Int("--seed", "Seed of the noise initialisation (default 0).");

    public Option<string?> Device { get; } = new("--device", "-d") { Description = "auto (default), cpu, cuda or cuda:N." };

    public Option<int?> Threads { get; } = CliValues.Int("--threads", "CPU threads libtorch may use.", "-t");

    public Option<FileInfo?> Weights { get; } = new("--weights", "-w") { Description = "SqueezeNet 1.1 weight file (.safetensors or .pth). Default: $NEURALSTYLE_WEIGHTS, the cache, or a verified download." };

    public Option<bool> NoDownload { get; } = new("--no-download") { Description = "Never download the weights." };

    public Option<int> SaveEvery { get; } = CliValues.Int("--save-every", "Save an intermediate image every N iterations (OUTPUT-N.EXT beside the result, in the format of --output).", 0);

    public Option<int?> ProgressInterval { get; } = CliValues.Int("--progress-every", "Report progress every N iterations (default 10).");

    public Option<int> MaxPixels { get; } = CliValues.Int("--max-pixels", "Refuse input images with more pixels than this.", Imaging.ImageLoadOptions.DefaultMaxPixels);

    public Option<HighResolution.CoarseToFineMode?> CoarseToFine { get; } = CliValues.Choice<HighResolution.CoarseToFineMode>("--coarse-to-fine", "auto (default: above 512 px), on or off: make the image at 256 px first, then upsample and refine.");

    public Option<int?> CoarseSize { get; } = CliValues.Int("--coarse-size", "Shorter side of the first coarse-to-fine stage (default 256).");

    public Option<string?> MaxMemory { get; } = new("--max-memory") { Description = "Memory budget, e.g. 4GB or 512MB: stages that need more are optimised in tiles." };

    public Option<string?> Tiles { get; } = new("--tiles") { Description = "auto (default: tile only when --max-memory needs it) or N: split the final image into about N tiles." };

    public Option<int?> TileSize { get; } = CliValues.Int("--tile-size", "Side of the tiles in pixels (instead of --tiles).");

    public Option<long> MaxImagePixels { get; } = CliValues.Long(
        "--max-image-pixels", "Refuse to run when the resized content or style image would have more pixels than this (memory grows with it).", RuntimeOptions.DefaultMaxImagePixels);

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print nothing but errors." };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Content);
        command.Arguments.Add(Style);
        foreach (var option in new Option[]
        {
            Output, Preset, Schedule, Size, StyleSize, StyleScale, StyleBlend, Mask, StyleMask, PreserveColors, Iterations, ContentLayer, ContentWeight,
            ContentLayers, ContentLayerWeights, StyleLayers, StyleWeights, NormalizeStyleWeights, StyleStrength, TvWeight, Optimizer,
            LearningRate, DecayedLearningRate, DecayStart, LbfgsHistory, LbfgsTolerance, Init, InitNoiseRatio, InitImage, Seed, Device,
            Threads, Weights, NoDownload, SaveEvery, ProgressInterval, MaxPixels, MaxImagePixels, CoarseToFine, CoarseSize, MaxMemory, Tiles,
            TileSize, Quiet,
        })
        {
            command.Options.Add(option);
        }

        SaveEvery.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--save-every expects 0 (no intermediate images) or a positive number of iterations."); } });
        MaxPixels.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) { r.AddError("--max-pixels expects a positive number of pixels, such as 16777216."); } });
    }

    /// <summary>Maps the parsed command line onto options, starting from the preset.</summary>
    /// <exception cref="ArgumentException">A value is malformed or out of range.</exception>
    public StyleTransferOptions ToOptions(ParseResult parse)
    {
        var o = StyleTransferPresets.Get(parse.GetValue(Preset)!);
        if (parse.GetValue(Schedule) == "quick")
        {
            o = StyleTransferPresets.Quick(o);
        }

        var optimizer = parse.GetValue(Optimizer) ?? o.Optimizer.Kind;
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
            InitNoiseRatio = parse.GetValue(InitNoiseRatio) ?? o.InitNoiseRatio,
            StyleLayers = styleLayers,
            StyleWeights = parse.GetValue(StyleWeights) is { } weights ? ParseNumbers(weights, "--style-weights") : o.StyleWeights,
            TotalVariationWeight = parse.GetValue(TvWeight) ?? o.TotalVariationWeight,
            Optimizer = o.Optimizer with
            {
                Kind = optimizer,
                LearningRate = optimizer == OptimizerKind.Adam && rate is { } r1 ? r1 : o.Optimizer.LearningRate,
                LbfgsLearningRate = optimizer == OptimizerKind.Lbfgs && rate is { } r2 ? r2 : o.Optimizer.LbfgsLearningRate,
                DecayedLearningRate = parse.GetValue(DecayedLearningRate) ?? o.Optimizer.DecayedLearningRate,
                DecayStartFraction = parse.GetValue(DecayStart) ?? o.Optimizer.DecayStartFraction,
                LbfgsHistorySize = parse.GetValue(LbfgsHistory) ?? o.Optimizer.LbfgsHistorySize,
                LbfgsTolerance = parse.GetValue(LbfgsTolerance) ?? o.Optimizer.LbfgsTolerance,
                ProgressInterval = parse.GetValue(ProgressInterval) ?? o.Optimizer.ProgressInterval,
                PreviewInterval = parse.GetValue(SaveEvery),
            },
            Initialization = parse.GetValue(Init) ?? (parse.GetValue(InitImage) is null ? o.Initialization : Initialization.Image),
            Seed = parse.GetValue(Seed) ?? o.Seed,
            Runtime = o.Runtime with
            {
                Device = parse.GetValue(Device) ?? o.Runtime.Device,
                Threads = parse.GetValue(Threads) ?? o.Runtime.Threads,
                MaxImagePixels = parse.GetValue(MaxImagePixels),
            },
            Weights = o.Weights with
            {
                Path = parse.GetValue(Weights)?.FullName,
                AllowDownload = !parse.GetValue(NoDownload),
            },
            HighResolution = o.HighResolution with
            {
                CoarseToFine = parse.GetValue(CoarseToFine) ?? o.HighResolution.CoarseToFine,
                CoarseSize = parse.GetValue(CoarseSize) ?? o.HighResolution.CoarseSize,
                MaxMemoryBytes = parse.GetValue(MaxMemory) is { } budget ? ParseBytes(budget) : o.HighResolution.MaxMemoryBytes,
                TileSize = parse.GetValue(TileSize) ?? o.HighResolution.TileSize,
            },
        };
        if (parse.GetValue(StyleLayers) is not null && parse.GetValue(StyleWeights) is null && styleLayers.Count != o.StyleWeights.Count)
        {
            throw new ArgumentException($"--style-layers names {styleLayers.Count} layers; give as many --style-weights.");
        }

        return o;
    }

    internal static int ParseLayer(string text) => SqueezeNetFeatureExtractor.ParseLayer(text);

    /// <summary>Parses a size in bytes: a number with an optional unit (B, KB, MB, GB, TB; powers of 1024; also K, M, G, T).</summary>
    /// <exception cref="ArgumentException">The text is not a size.</exception>
    internal static long ParseBytes(string text)
    {
        var t = text.Trim().ToUpperInvariant().Replace("IB", "B", StringComparison.Ordinal);
        var units = new (string Suffix, long Factor)[] { ("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value * factor < long.MaxValue)
            {
                return (long)(value * factor);
            }
        }

        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : throw new ArgumentException($"--max-memory: '{text}' is not a size; use e.g. 4GB or 512MB.");
    }

    /// <summary>
    /// Applies <c>--tiles N</c>: the tile side that splits a <paramref name="width"/>×<paramref name="height"/> result into about
    /// N overlapping tiles. <c>auto</c> or nothing leaves the options as they are.
    /// </summary>
    /// <exception cref="ArgumentException">The value is neither <c>auto</c> nor a positive number.</exception>
    internal static StyleTransferOptions ApplyTiles(StyleTransferOptions options, string? tiles, int width, int height)
    {
        if (tiles is null || tiles.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return options;
        }

        if (!int.TryParse(tiles, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw new ArgumentException($"--tiles: '{tiles}' must be auto or a positive number of tiles.");
        }

        var rows = Math.Max(1, (int)Math.Round(Math.Sqrt(count * (double)height / width)));
        var columns = Math.Max(1, (int)Math.Ceiling(count / (double)rows));
        var overlap = options.HighResolution.TileOverlap;
        var side = Math.Max(
            (int)Math.Ceiling((height + ((rows - 1) * (double)overlap)) / rows),
            (int)Math.Ceiling((width + ((columns - 1) * (double)overlap)) / columns));
        return options with { HighResolution = options.HighResolution with { TileSize = Math.Max(side, HighResolutionOptions.MinimumTileSize(overlap)) } };
    }

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
