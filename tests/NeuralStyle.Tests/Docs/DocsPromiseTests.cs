using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Pipeline.Progress;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Video;
using NeuralStyle.Weights;
using NeuralStyle.Weights.Pickle;
using Xunit;

namespace NeuralStyle.Tests.Docs;

/// <summary>
/// The numbers the docs promise — defaults, limits, sizes — read from the markdown itself and compared with the
/// constants the code uses, so that neither can change without the other. Each row names the file, a pattern whose
/// group <c>n</c> captures the number as the doc writes it, and the code's value written the same way; a pattern that no
/// longer matches fails too (the promise was reworded or removed: update the row and docs/promises.md).
/// </summary>
public sealed class DocsPromiseTests
{
    private static readonly StyleTransferOptions Defaults = new();
    private static readonly OptimizerOptions Optimizer = new();
    private static readonly HighResolutionOptions HighResolution = new();
    private static readonly WeightReaderLimits Limits = WeightReaderLimits.Default;
    private static readonly WeightsOptions Weights = new();
    private static readonly VideoStyleTransferOptions Video = new();
    private static readonly NeuralStyleServiceOptions Service = new();

    public static TheoryData<string, string, string> Numbers => new()
    {
        // docs/getting-started.md, "Options worth knowing"
        { "docs/getting-started.md", @"\| `ImageSize` \| (?<n>\d+) \|", I($"{Defaults.ImageSize}") },
        { "docs/getting-started.md", @"\| `StyleSize`, `StyleScale` \| (?<n>[^|]+?) \|", I($"{Defaults.StyleSize}, {Null(Defaults.StyleScale)}") },
        { "docs/getting-started.md", @"\| `ContentLayer`, `ContentWeight` \| (?<n>[^|]+?) \|", I($"{Defaults.ContentLayer}, {Defaults.ContentWeight}") },
        { "docs/getting-started.md", @"\| `StyleLayers`, `StyleWeights` \| (?<n>[^|]+?) \|", I($"{string.Join(',', Defaults.StyleLayers)} / {string.Join(',', Defaults.StyleWeights)}") },
        { "docs/getting-started.md", @"\| `NormalizeStyleWeightsTo`, `StyleStrength` \| (?<n>[^|]+?) \|", I($"{Null(Defaults.NormalizeStyleWeightsTo)}, {Defaults.StyleStrength}") },
        { "docs/getting-started.md", @"\| `TotalVariationWeight` \| (?<n>[^|]+?) \|", I($"{Defaults.TotalVariationWeight}") },
        { "docs/getting-started.md", @"\| `Iterations` \| (?<n>[^|]+?) \|", I($"{Defaults.Iterations}") },
        { "docs/getting-started.md", @"\| `Initialization`, `InitialImage`, `InitNoiseRatio`, `Seed` \| (?<n>[^|]+?) \|", I($"{Defaults.Initialization}, {Null(Defaults.InitialImage)}, {Defaults.InitNoiseRatio}, {Defaults.Seed}") },
        { "docs/getting-started.md", @"\| `Optimizer.Kind` \| (?<n>[^|]+?) \|", I($"{Optimizer.Kind}") },
        { "docs/getting-started.md", @"\| `Optimizer.LearningRate`, `.DecayedLearningRate`, `.DecayStartFraction` \| (?<n>[^|]+?) \|", I($"{Optimizer.LearningRate:0.0}, {Optimizer.DecayedLearningRate}, {Optimizer.DecayStartFraction}") },
        { "docs/getting-started.md", @"\| `Optimizer.LbfgsLearningRate`, `.LbfgsHistorySize`, `.LbfgsTolerance` \| (?<n>[^|]+?) \|", I($"{Optimizer.LbfgsLearningRate:0.0}, {Optimizer.LbfgsHistorySize}, {Optimizer.LbfgsTolerance:0e0}") },
        { "docs/getting-started.md", @"\| `Optimizer.ClampBound`, `.UnclampedFinalIterations` \| (?<n>[^|]+?) \|", I($"{Optimizer.ClampBound}, {Optimizer.UnclampedFinalIterations}") },
        { "docs/getting-started.md", @"\| `Optimizer.ProgressInterval`, `.PreviewInterval` \| (?<n>[^|]+?) \|", I($"{Optimizer.ProgressInterval}, {Optimizer.PreviewInterval}") },
        { "docs/getting-started.md", @"\| `HighResolution.\*` \| coarse-to-fine above (?<n>\d+) px \|", I($"{HighResolution.CoarseToFineThreshold}") },
        { "docs/getting-started.md", @"\| `Runtime.Device`, `.Threads` \| (?<n>[^|]+?) \|", I($"{Defaults.Runtime.Device}, {Null(Defaults.Runtime.Threads)}") },
        { "docs/getting-started.md", @"\| `Runtime.MaxImagePixels`, `.FeatureExtractor`, `.Logger` \| (?<n>\d+) Mi,", I($"{Defaults.Runtime.MaxImagePixels >> 20}") },

        // docs/presets.md: one row per preset, and the sentence under the table
        { "docs/presets.md", @"\| `CompositionVii` \(the default\) \| `composition-vii` \| (?<n>[^|]+\|[^|]+\|[^|]+\|[^|]+?) \|", Preset(StyleTransferPresets.CompositionVii) },
        { "docs/presets.md", @"\| `TheScream` \| `the-scream` \| (?<n>[^|]+\|[^|]+\|[^|]+\|[^|]+?) \|", Preset(StyleTransferPresets.TheScream) },
        { "docs/presets.md", @"\| `StarryNight` \| `starry-night` \| (?<n>[^|]+\|[^|]+\|[^|]+\|[^|]+?) \|", Preset(StyleTransferPresets.StarryNight) },
        { "docs/presets.md", @"\| content \(layer (?<n>\d+)\) \| style weights on layers (?<m>[\d, ]+) \|", Distinct(p => I($"{p.ContentLayer}")) },
        { "docs/presets.md", @"All three run (?<n>\d+) Adam iterations \(learning rate (?<m>[\d.]+), then (?<o>[\d.]+) for the last (?<p>\d+) %\)", Distinct(p => I($"{p.Iterations}")) },
        { "docs/presets.md", @"All three run \d+ Adam iterations \(learning rate (?<n>[\d.]+), then", Distinct(p => I($"{p.Optimizer.LearningRate:0.0}")) },
        { "docs/presets.md", @"then (?<n>[\d.]+) for the last", Distinct(p => I($"{p.Optimizer.DecayedLearningRate}")) },
        { "docs/presets.md", @"for the last (?<n>\d+) %", Distinct(p => I($"{(1 - p.Optimizer.DecayStartFraction) * 100:0}")) },
        { "docs/presets.md", @"and\s+use seed (?<n>\d+)\.", Distinct(p => I($"{p.Seed}")) },

        // docs/cli.md, the options table and the output checks
        { "docs/cli.md", @"\| `-i, --iterations N` \| iterations \(default (?<n>\d+)\) \|", I($"{StyleTransferPresets.CompositionVii.Iterations}") },
        { "docs/cli.md", @"`--progress-every N` \| progress interval \(default (?<n>\d+)\)", I($"{Optimizer.ProgressInterval}") },
        { "docs/cli.md", @"until the run has timed (?<n>\d+) iterations after\s+its first", I($"{TimingPrior.Cpu.MinimumTimed}") },
        { "docs/cli.md", @"\(iteration (?<n>\d+) with `--progress-every 1`,", I($"{TimingPrior.Cpu.WarmUpIterations + TimingPrior.Cpu.MinimumTimed}") },
        { "docs/cli.md", @"with `--progress-every 1`, the first multiple of 10 from then on with the default\s+`--progress-every 10`: iteration (?<n>\d+)\)", I($"{(TimingPrior.Cpu.WarmUpIterations + TimingPrior.Cpu.MinimumTimed + 9) / 10 * 10}") },
        { "docs/cli.md", @"iteration `s` is\s+taken to be `(?<n>[\d.]+)·\(1 − s/(?<m>\d+)\)` slower", I($"{TimingPrior.Cpu.SlowdownAfterWarmUp}") },
        { "docs/cli.md", @"slower than the steady speed up to iteration (?<n>\d+)", I($"{TimingPrior.Cpu.FadeIterations}") },
        { "docs/cli.md", @"measured slower still, `(?<n>[\d.]+)·\(1 − s/(?<m>\d+)\)`", I($"{TimingPrior.CpuLbfgs.SlowdownAfterWarmUp}") },
        { "docs/cli.md", @"measured slower still, `[\d.]+·\(1 − s/(?<n>\d+)\)`", I($"{TimingPrior.CpuLbfgs.FadeIterations}") },
        { "docs/cli.md", @"taken to cost 4\^(?<n>[\d.]+) = ", I($"{TimingPrior.Cpu.PixelExponent}") },
        { "docs/cli.md", @"`--max-pixels N` \| refuse larger input images \(default (?<n>[\d,]+)\)", I($"{ImageLoadOptions.DefaultMaxPixels:N0}") },
        { "docs/cli.md", @"`--max-image-pixels N` \| [^(]+\(default (?<n>[\d,]+);", I($"{RuntimeOptions.DefaultMaxImagePixels:N0}") },
        { "docs/cli.md", @"`--style-scale X` \| style size relative to the content's, (?<n>[\d.]+ to [\d.]+);", I($"{StyleTransferOptions.MinStyleScale} to {StyleTransferOptions.MaxStyleScale}") },
        { "docs/cli.md", @"`--style-strength S` \| multiply every style weight \(default (?<n>\d+);", I($"{Defaults.StyleStrength}") },
        { "docs/cli.md", @"`--coarse-size N` \| make large images at (?<n>\d+) px first", I($"{HighResolution.CoarseSize}") },
        { "docs/cli.md", @"WebP stores at most (?<n>\d+) pixels on a side", I($"{OutputPath.MaxWebPSide}") },
        { "docs/cli.md", @"JPEG (?<n>\d+)\)", I($"{OutputPath.MaxJpegSide}") },

        // docs/high-resolution.md
        { "docs/high-resolution.md", @"`CoarseToFineThreshold` \((?<n>\d+) px\)", I($"{HighResolution.CoarseToFineThreshold}") },
        { "docs/high-resolution.md", @"`CoarseSize` \((?<n>\d+) px\)", I($"{HighResolution.CoarseSize}") },
        { "docs/high-resolution.md", @"`ScaleFactor` \((?<n>[\d.]+);", I($"{HighResolution.ScaleFactor}") },
        { "docs/high-resolution.md", @"`FineIterationsFraction` \((?<n>[\d.]+)\)", I($"{HighResolution.FineIterationsFraction:0.0}") },
        { "docs/high-resolution.md", @"`FineLearningRate` \((?<n>[\d.]+)\)", I($"{HighResolution.FineLearningRate:0.0}") },
        { "docs/high-resolution.md", @"`MaxStyleSize` \((?<n>\d+)\)", I($"{HighResolution.MaxStyleSize}") },
        { "docs/high-resolution.md", @"`StageAnchorWeight` \((?<n>\d+)\)", I($"{HighResolution.StageAnchorWeight}") },
        { "docs/high-resolution.md", @"`StageStyleAnchorWeight` \((?<n>\d+)\)", I($"{HighResolution.StageStyleAnchorWeight}") },
        { "docs/high-resolution.md", @"so the default is (?<n>\d+)\.", I($"{HighResolution.StageAnchorWeight}") },
        { "docs/high-resolution.md", @"\(`TileOverlap`, (?<n>\d+) px\)", I($"{HighResolution.TileOverlap}") },

        // docs/controls
        { "docs/controls/optimizers.md", @"`LearningRate` \((?<n>[\d.]+) in normalised pixel units\)", I($"{Optimizer.LearningRate:0.0}") },
        { "docs/controls/optimizers.md", @"`DecayedLearningRate` \((?<n>[\d.]+)\)", I($"{Optimizer.DecayedLearningRate}") },
        { "docs/controls/optimizers.md", @"`DecayStartFraction` \((?<n>[\d.]+)\)", I($"{Optimizer.DecayStartFraction}") },
        { "docs/controls/optimizers.md", @"`LbfgsHistorySize` \((?<n>\d+)\)", I($"{Optimizer.LbfgsHistorySize}") },
        { "docs/controls/optimizers.md", @"`LbfgsLearningRate` \((?<n>[\d.]+)\)", I($"{Optimizer.LbfgsLearningRate:0.0}") },
        { "docs/controls/optimizers.md", @"`LbfgsTolerance` \((?<n>[\de.-]+)\)", I($"{Optimizer.LbfgsTolerance:0e0}") },
        { "docs/controls/optimizers.md", @"`Optimizer.ClampBound` \((?<n>[\d.]+)\)", I($"{Optimizer.ClampBound}") },
        { "docs/controls/optimizers.md", @"`UnclampedFinalIterations` \((?<n>\d+)\)", I($"{Optimizer.UnclampedFinalIterations}") },
        { "docs/controls/initialization.md", @"`r = InitNoiseRatio` \(default (?<n>[\d.]+)\)", I($"{Defaults.InitNoiseRatio}") },
        { "docs/controls/quality.md", @"\| content weight `c` \| [^|]+\| [^|]+\| preset \((?<n>[\d.]+)\) \|", I($"{StyleTransferPresets.CompositionVii.ContentWeight}") },
        { "docs/controls/quality.md", @"\| style strength `s` \| [^|]+\| [^|]+\| (?<n>[\d.]+) \|", I($"{Defaults.StyleStrength}") },
        { "docs/controls/quality.md", @"\| total variation `t` \| [^|]+\| [^|]+\| preset \((?<n>[\d.]+)\) \|", I($"{StyleTransferPresets.CompositionVii.TotalVariationWeight}") },
        { "docs/controls/layers.md", @"`ContentLayer` \(default (?<n>\d+), `fire2`\)", I($"{Defaults.ContentLayer}") },
        { "docs/controls/style-scale.md", @"The range is\s+(?<n>[\d.]+ to [\d.]+) \(", I($"{StyleTransferOptions.MinStyleScale} to {StyleTransferOptions.MaxStyleScale}") },
        { "docs/troubleshooting.md", @"keeps `LbfgsHistorySize` \((?<n>\d+)\) pairs", I($"{Optimizer.LbfgsHistorySize}") },
        { "docs/troubleshooting.md", @"the presets use (?<n>\d+);", Distinct(p => I($"{p.ImageSize}")) },

        // docs/security.md and docs/weights.md: limits of images, downloads and weight files
        { "docs/security.md", @"\(`MaxDownloadBytes`, (?<n>\d+) MiB\)", I($"{WeightsOptions.DefaultMaxDownloadBytes >> 20}") },
        { "docs/security.md", @"\((?<n>\d+) MiB files,\s+[\d.]+ M elements", I($"{Limits.MaxFileBytes >> 20}") },
        { "docs/security.md", @"\(\d+ MiB files,\s+(?<n>[\d.]+) M elements", I($"{Limits.MaxTensorElements / 1e6:0.0}") },
        { "docs/security.md", @"checked every\s+(?<n>\d+) operations", I($"{WeightReadContext.CancellationStride}") },
        { "docs/security.md", @"may hold at most (?<n>\d+) MiB\)", I($"{PickleInput.MaxObjectBytes >> 20}") },
        { "docs/security.md", @"every (?<n>[\d,]+) elements while a tensor's values are copied", I($"{WeightReadContext.CopyChunkElements:N0}") },
        { "docs/security.md", @"bounded LRU \((?<n>\d+)\s+entries, \d+ MiB each\)", I($"{WeightCache.MaxEntries}") },
        { "docs/security.md", @"bounded LRU \(\d+\s+entries, (?<n>\d+) MiB each\)", I($"{WeightCache.MaxBytes >> 20}") },
        { "docs/security.md", @"`ImageLoadOptions.MaxPixels` \((?<n>\d+) Mi pixels by default", I($"{ImageLoadOptions.DefaultMaxPixels >> 20}") },
        { "docs/security.md", @"`ImageLoadOptions.MaxDecodeBytes` \((?<n>\d+) MiB\)", I($"{ImageLoadOptions.DefaultMaxDecodeBytes >> 20}") },
        { "docs/security.md", @"`ImageMemoryBudget` \((?<n>\d+) GiB in the CLI", I($"{ImageMemoryBudget.DefaultBytes >> 30}") },
        { "docs/security.md", @"`StyleTransferOptions.Runtime.MaxImagePixels` \((?<n>\d+) Mi pixels by default", I($"{RuntimeOptions.DefaultMaxImagePixels >> 20}") },
        { "docs/security.md", @"the operation budget \(`MaxPickleOperations`, (?<n>[\d,]+)\)", I($"{Limits.MaxPickleOperations:N0}") },
        { "docs/security.md", @"refused: the pickle needs more than (?<n>\d+) operations \(limit MaxPickleOperations\)", I($"{Limits.MaxPickleOperations}") },
        { "docs/security.md", @"nested deeper than (?<n>\d+) \(limit MaxPickleDepth\)", I($"{Limits.MaxPickleDepth}") },
        { "docs/security.md", @"entries, more than (?<n>\d+) \(limit MaxTensorCount", I($"{Limits.MaxTensorCount + PyTorchZipReader.ExtraEntries}") },
        { "docs/weights.md", @"\| `MaxFileBytes`, `MaxUncompressedBytes` \| (?<n>\d+) MiB \|", Same(Limits.MaxFileBytes >> 20, Limits.MaxUncompressedBytes >> 20) },
        { "docs/weights.md", @"\| `MaxTensorElements`, `MaxTotalElements` \| 2\^(?<n>\d+) \(", Same((long)Math.Log2(Limits.MaxTensorElements), (long)Math.Log2(Limits.MaxTotalElements)) },
        { "docs/weights.md", @"\| `MaxTensorCount` \| (?<n>\d+) \(", I($"{Limits.MaxTensorCount}") },
        { "docs/weights.md", @"\| `MaxTensorCount` \| \d+ \(a zip may hold (?<n>\d+) entries more\)", I($"{PyTorchZipReader.ExtraEntries}") },
        { "docs/weights.md", @"\| `MaxHeaderBytes` \(safetensors\) \| (?<n>\d+) MiB \|", I($"{Limits.MaxHeaderBytes >> 20}") },
        { "docs/weights.md", @"\| `MaxPickleDepth` \| (?<n>\d+) \(", I($"{Limits.MaxPickleDepth}") },
        { "docs/weights.md", @"\| `MaxPickleMemoEntries` \| (?<n>[\d,]+) \|", I($"{Limits.MaxPickleMemoEntries:N0}") },
        { "docs/weights.md", @"\| `MaxPickleOperations` \| (?<n>[\d,]+) \|", I($"{Limits.MaxPickleOperations:N0}") },
        { "docs/weights.md", @"\(`DownloadTimeout`, (?<n>\d+) min\)", I($"{Weights.DownloadTimeout.TotalMinutes}") },
        { "docs/weights.md", @"\(`StallTimeout`, (?<n>\d+) s without bytes\)", I($"{Weights.StallTimeout.TotalSeconds}") },
        { "docs/weights.md", @"logs that it waits \(event (?<n>\d+), again every \d+ s\)", I($"{WeightsLog.WaitingForLockEventId}") },
        { "docs/weights.md", @"logs that it waits \(event \d+, again every (?<n>\d+) s\)", I($"{CacheLock.WaitReportInterval.TotalSeconds}") },
        { "docs/weights.md", @"at most (?<n>\d+) entries and\s+\d+ MiB of tensor values each", Same(WeightCache.MaxEntries, ExtractorCache.MaxEntries) },
        { "docs/weights.md", @"at most \d+ entries and\s+(?<n>\d+) MiB of tensor values each", Same(WeightCache.MaxBytes >> 20, ExtractorCache.MaxBytes >> 20) },
        { "docs/weights.md", @"which the parse checks every (?<n>\d+) operations", I($"{WeightReadContext.CancellationStride}") },
        { "docs/weights.md", @"file `(?<n>[^`]+)`;", SqueezeNetWeights.FileName },
        { "docs/weights.md", @"^   `(?<n>https://[^`]+)`", SqueezeNetWeights.DownloadUri.ToString() },
        { "docs/weights.md", @"\(SHA-256 `(?<n>[0-9a-f]{64})`\)", SqueezeNetWeights.Sha256 },
        { "docs/security.md", @"The name is a constant\s+\(`(?<n>[^`]+)`\)", SqueezeNetWeights.FileName },

        // docs/video.md and docs/scaling.md
        { "docs/video.md", @"`Quality` = x264 CRF, default (?<n>\d+)\)", I($"{Video.Quality}") },
        { "docs/video.md", @"longer than `MaxDuration` \(default (?<n>\d+) h\)", I($"{Video.MaxDuration.TotalHours}") },
        { "docs/video.md", @"`FrameIterations` (?<n>\d+) at `FrameLearningRate` [\d.]+, `TemporalWeight` \d+\)", I($"{VideoStyleTransferOptions.DefaultFrameIterations}") },
        { "docs/video.md", @"`FrameIterations` \d+ at `FrameLearningRate` (?<n>[\d.]+), `TemporalWeight` \d+\)", I($"{VideoStyleTransferOptions.DefaultFrameLearningRate}") },
        { "docs/video.md", @"`FrameIterations` \d+ at `FrameLearningRate` [\d.]+, `TemporalWeight` (?<n>\d+)\)", I($"{VideoStyleTransferOptions.DefaultTemporalWeight}") },
        { "docs/scaling.md", @"kept `ResultRetention` \(default (?<n>\d+) h\)", I($"{Service.ResultRetention.TotalHours}") },
        { "docs/scaling.md", @"`FetchedResultRetention`\s+\(default (?<n>\d+) min\)", I($"{Service.FetchedResultRetention.TotalMinutes}") },
        { "docs/scaling.md", @"Every `LoadReportInterval` \(default (?<n>\d+) s\)", I($"{Service.LoadReportInterval.TotalSeconds}") },

        // docs/architecture.md
        { "docs/architecture.md", @"\((?<n>\d+)×\d+ for all 13 layers;", I($"{SqueezeNetFeatureExtractor.MinimumInputSizeFor(12)}") },
        { "docs/architecture.md", @"`StyleTransferOptions.Runtime.MaxImagePixels` \(default (?<n>\d+) Mi pixels", I($"{RuntimeOptions.DefaultMaxImagePixels >> 20}") },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void The_doc_states_the_number_the_code_uses(string file, string pattern, string expected)
    {
        var text = Read(file);
        var match = Regex.Match(text, pattern, RegexOptions.Multiline);
        match.Success.Should().BeTrue($"{file} should still state this promise (pattern {pattern}); if it was reworded, update the row in DocsPromiseTests");
        match.Groups["n"].Value.Trim().Should().Be(expected, $"{file} promises it (pattern {pattern}) and the code's constant says {expected}");
    }

    /// <summary>Limits the docs state as a range: the code accepts both ends and refuses one step beyond each.</summary>
    public static TheoryData<string> Bounds => new(BoundRows.Keys);

    private static readonly System.Collections.Generic.Dictionary<string, (string File, string Pattern, Func<double, StyleTransferOptions> Options, double Step)> BoundRows = new()
    {
        ["Iterations"] = ("docs/security.md", @"options allow up to (?<hi>[\d,]+) iterations", v => Defaults with { Iterations = (int)v }, 1),
        ["ImageSize"] = ("docs/cli.md", @"--size must be between (?<lo>\d+) and (?<hi>\d+) pixels", v => Defaults with { ImageSize = (int)v }, 1),
        ["StyleStrength"] = ("docs/controls/quality.md", @"`StyleStrength = s` \((?<lo>[\d.]+) to (?<hi>[\d.]+)\)", v => Defaults with { StyleStrength = v }, 1e-6),
        ["StyleScale"] = ("docs/controls/style-scale.md", @"The range is\s+(?<lo>[\d.]+) to (?<hi>[\d.]+) \(", v => Defaults with { StyleScale = v }, 1e-6),
        ["InitNoiseRatio"] = ("docs/controls/initialization.md", @"`InitNoiseRatio` is between (?<lo>[\d.]+) and (?<hi>[\d.]+)", v => Defaults with { InitNoiseRatio = v }, 1e-6),
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public void The_docs_range_is_where_the_code_refuses(string option)
    {
        var (file, pattern, options, step) = BoundRows[option];
        var match = Regex.Match(Read(file), pattern);
        match.Success.Should().BeTrue($"{file} should still state the range of {option} (pattern {pattern})");
        var bounds = new[] { "lo", "hi" }.Where(g => match.Groups[g].Success)
            .Select(g => (Group: g, Value: double.Parse(match.Groups[g].Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture)));
        foreach (var (group, value) in bounds)
        {
            var beyond = group == "lo" ? value - step : value + step;
            options(value).Invoking(o => o.Validate()).Should().NotThrow($"{file} allows {option} = {value}");
            options(beyond).Invoking(o => o.Validate()).Should().Throw<ArgumentException>($"{file} says {option} stops at {value}")
                .Which.Message.Should().Contain(option);
        }
    }

    [Fact]
    public void The_weights_docs_count_the_tensors_and_parameters_of_the_real_file()
    {
        var features = WeightFileReader.Read(SharedAssets.SafeTensorsWeights);
        var match = Regex.Match(Read("docs/weights.md"), @"`squeezenet1_1`, (?<n>[\d,]+) parameters,\s+(?<t>\d+) tensors named `(?<first>[^`]+)` … `(?<last>[^`]+)`\)");
        match.Success.Should().BeTrue("docs/weights.md states the features' size");
        match.Groups["n"].Value.Should().Be(I($"{features.Values.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b)):N0}"));
        match.Groups["t"].Value.Should().Be(I($"{features.Count}"));
        features.Keys.Should().Contain(match.Groups["first"].Value).And.Contain(match.Groups["last"].Value);
    }

    [Fact]
    public void The_package_versions_the_docs_name_are_the_ones_the_build_uses()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

        // A package the build does not reference is pinned to the one of its family that it does: libtorch and every libtorch-cpu-*
        // to libtorch-cpu-linux-x64, every TorchSharp-* bundle to TorchSharp, every SkiaSharp.NativeAssets.* to SkiaSharp.
        string Expected(string package) => props.TryGetValue(package, out var version) ? version
            : package.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) ? props["libtorch-cpu-linux-x64"]
            : package.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) ? props["TorchSharp"]
            : package.StartsWith("SkiaSharp", StringComparison.OrdinalIgnoreCase) ? props["SkiaSharp"]
            : throw new InvalidOperationException($"no version rule for {package}");

        var files = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(Root, "README.md"));
        var mentions = 0;
        foreach (var path in files)
        {
            var file = Path.GetRelativePath(Root, path);
            var text = File.ReadAllText(path);
            foreach (Match m in Regex.Matches(text, @"dotnet add package (?<p>[\w.-]+) --version (?<v>[\d.]+)|\| `(?<p>(libtorch|TorchSharp)[\w.-]*)` (?<v>\d+\.\d+\.\d+) \||\b(?<p>TorchSharp|SkiaSharp|libtorch) (?<v>\d+\.\d+(\.\d+)?)\b"))
            {
                var expected = Expected(m.Groups["p"].Value);
                (expected == m.Groups["v"].Value || expected.StartsWith(m.Groups["v"].Value + ".", StringComparison.Ordinal))
                    .Should().BeTrue($"{file} names {m.Groups["p"].Value} {m.Groups["v"].Value}; the build uses {expected}");
                mentions++;
            }
        }

        mentions.Should().BeGreaterThan(10, "the docs name the versions to add in many places");
    }

    [Fact]
    public void The_exit_codes_the_docs_list_are_the_tools()
    {
        var codes = typeof(ExitCodes).GetFields().Select(f => (int)f.GetRawConstantValue()!).Order().ToList();
        var table = Regex.Matches(Read("docs/cli.md"), @"^\| `(?<n>\d+)` \| ", RegexOptions.Multiline).Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
        table.Order().Should().Equal(codes, "docs/cli.md's table lists every exit code the tool uses, and no other");
        var readme = Regex.Match(Read("docs/tool-readme.md"), @"exit codes: (?<list>[^.]+)\.").Groups["list"].Value;
        Regex.Matches(readme, @"\b\d+\b").Select(m => int.Parse(m.Value, CultureInfo.InvariantCulture)).Order().Should().Equal(codes, "the tool's package readme lists them too");
    }

    [Fact]
    public void Every_row_reads_a_doc_that_exists()
    {
        foreach (var file in Numbers.Select(row => row.Data.Item1).Distinct())
        {
            File.Exists(Path.Combine(Root, file)).Should().BeTrue(file);
        }
    }

    [Fact]
    public void A_changed_number_fails_its_row()
    {
        // The check itself: a doc that said 300 where the code has 200 is caught.
        Regex.Match("| `Iterations` | 300 | |", @"\| `Iterations` \| (?<n>[^|]+?) \|").Groups["n"].Value.Should().NotBe(I($"{Defaults.Iterations}"));
    }

    /// <summary>The repository root (the docs' folder is beside samples/).</summary>
    internal static string Root { get; } = Path.GetFullPath(Path.Combine(SampleImages.Folder, "..", ".."));

    internal static string Read(string file) => File.ReadAllText(Path.Combine(Root, file)).Replace("\r", string.Empty, StringComparison.Ordinal);

    private static string I(FormattableString value) => FormattableString.Invariant(value);

    private static string Null(object? value) => value?.ToString() ?? "null";

    /// <summary>A preset's row in docs/presets.md: image / style size, content weight, style weights, TV weight.</summary>
    private static string Preset(StyleTransferOptions p)
        => I($"{p.ImageSize} / {p.StyleSize} | {p.ContentWeight} | {string.Join(", ", p.StyleWeights.Select(w => w.ToString(CultureInfo.InvariantCulture)))} | {p.TotalVariationWeight}");

    /// <summary>The value all three presets share, or a list of the different ones (which no doc sentence matches).</summary>
    private static string Distinct(Func<StyleTransferOptions, string> value)
        => string.Join(" / ", new[] { StyleTransferPresets.CompositionVii, StyleTransferPresets.TheScream, StyleTransferPresets.StarryNight }.Select(value).Distinct());

    /// <summary>One number the doc states for two settings; both must have it.</summary>
    private static string Same(long a, long b) => a == b ? I($"{a}") : I($"{a} and {b} differ");
}
