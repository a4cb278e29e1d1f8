using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using SkiaSharp;

namespace NeuralStyle;

/// <summary>
/// Everything that shapes a style transfer. A sealed record: derive variants with <c>with</c>, for example
/// <c>StyleTransferPresets.TheScream with { Iterations = 400 }</c>. The defaults are the seed's Composition VII preset.
/// </summary>
public sealed partial record StyleTransferOptions
{
    /// <summary>Gets the length of the shorter side of the content (and result) image, in pixels.</summary>
    /// <value>Default 192; <see langword="null"/> keeps the content image's size.</value>
    public int? ImageSize { get; init; } = 192;

    /// <summary>Gets the length of the shorter side the style image is resized to before its Gram matrices are computed.</summary>
    /// <value>Default 512; <see langword="null"/> uses <see cref="ImageSize"/> (or the style image's own size when that is null too).</value>
    public int? StyleSize { get; init; } = 512;

    /// <summary>Gets the feature layer whose activations the content loss compares.</summary>
    /// <value>Default 3 (<c>fire2</c>).</value>
    public int ContentLayer { get; init; } = 3;

    /// <summary>Gets the weight of the content loss.</summary>
    /// <value>Default 0.05.</value>
    public double ContentWeight { get; init; } = 5e-2;

    /// <summary>Gets the feature layers whose Gram matrices the style loss compares.</summary>
    /// <value>Default 1, 4, 6, 7 (<c>relu1</c>, <c>fire3</c>, <c>fire4</c>, <c>fire5</c>).</value>
    public IReadOnlyList<int> StyleLayers { get; init; } = [1, 4, 6, 7];

    /// <summary>Gets the weight of each style layer.</summary>
    /// <value>Default 20000, 500, 12, 1; one per entry of <see cref="StyleLayers"/>.</value>
    public IReadOnlyList<double> StyleWeights { get; init; } = [20000, 500, 12, 1];

    /// <summary>Gets the weight of the total-variation (smoothness) loss.</summary>
    /// <value>Default 0.05.</value>
    public double TotalVariationWeight { get; init; } = 5e-2;

    /// <summary>Gets the number of iterations.</summary>
    /// <value>Default 200.</value>
    public int Iterations { get; init; } = 200;

    /// <summary>Gets the gradient method.</summary>
    /// <value>Default <see cref="OptimizerKind.Adam"/>.</value>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Gets Adam's initial learning rate.</summary>
    /// <value>Default 3.0.</value>
    public double LearningRate { get; init; } = 3.0;

    /// <summary>Gets Adam's learning rate for the final part of the run.</summary>
    /// <value>Default 0.1.</value>
    public double DecayedLearningRate { get; init; } = 0.1;

    /// <summary>Gets the fraction of the iterations after which <see cref="DecayedLearningRate"/> applies (and Adam restarts, as in the seed).</summary>
    /// <value>Default 0.9 (iteration 180 of 200); 1 disables the decay.</value>
    public double DecayStartFraction { get; init; } = 0.9;

    /// <summary>Gets L-BFGS's step size.</summary>
    /// <value>Default 1.0; used when <see cref="Optimizer"/> is <see cref="OptimizerKind.Lbfgs"/>.</value>
    public double LbfgsLearningRate { get; init; } = 1.0;

    /// <summary>Gets the number of past updates L-BFGS keeps.</summary>
    /// <value>Default 100.</value>
    public int LbfgsHistorySize { get; init; } = 100;

    /// <summary>Gets the bound of the pixel clamp, in normalised units.</summary>
    /// <value>Default 1.5; <see langword="null"/> disables clamping.</value>
    public double? ClampBound { get; init; } = 1.5;

    /// <summary>Gets the number of final iterations that run without the clamp.</summary>
    /// <value>Default 10, as in the seed.</value>
    public int UnclampedFinalIterations { get; init; } = 10;

    /// <summary>Gets what the optimised image starts from.</summary>
    /// <value>Default <see cref="NeuralStyle.Initialization.Content"/>.</value>
    public Initialization Initialization { get; init; } = Initialization.Content;

    /// <summary>Gets the starting image when <see cref="Initialization"/> is <see cref="NeuralStyle.Initialization.Image"/>.</summary>
    /// <value>Resized to the content's size; not disposed. Default <see langword="null"/>.</value>
    public SKBitmap? InitialImage { get; init; }

    /// <summary>Gets the seed of everything random (the noise initialisation).</summary>
    /// <value>Default 0. Same seed, inputs, device and thread count give bit-identical results on the CPU.</value>
    public int Seed { get; init; }

    /// <summary>Gets the device to run on.</summary>
    /// <value><c>auto</c> (default: CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</value>
    public string Device { get; init; } = "auto";

    /// <summary>Gets the number of CPU threads libtorch uses.</summary>
    /// <value>
    /// Default <see langword="null"/> (libtorch's choice, normally the number of physical cores). The run computes with this
    /// many threads even when concurrent runs ask for other counts; the value also becomes libtorch's process-wide default
    /// for threads that start later (runs that leave this <see langword="null"/> among them). On a machine whose cores are
    /// busy with other work, 1 can make small runs many times faster (libtorch's threads wait for each other).
    /// </value>
    public int? Threads { get; init; }

    /// <summary>Gets the SqueezeNet 1.1 weight file.</summary>
    /// <value>
    /// Default <see langword="null"/>: the <c>NEURALSTYLE_WEIGHTS</c> environment variable, then the per-user cache,
    /// then a verified download of torchvision's file (see <see cref="Weights.WeightsLocator"/>).
    /// </value>
    public string? WeightsPath { get; init; }

    /// <summary>Gets a value indicating whether the weights may be downloaded when no local file is found.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool AllowWeightsDownload { get; init; } = true;

    /// <summary>Gets how often progress is reported (and losses copied from the device).</summary>
    /// <value>Default every 10 iterations; the last is always reported.</value>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>Gets how often progress reports carry a preview bitmap.</summary>
    /// <value>Default 0 (never); otherwise every N iterations.</value>
    public int PreviewInterval { get; init; }

    /// <summary>Gets extra loss terms added to the content, style and total-variation losses.</summary>
    /// <value>
    /// Default empty. Each term sees the features of the image being optimised up to the deepest layer any term reads;
    /// the library does not dispose them. Terms must live on the run's device.
    /// </value>
    public IReadOnlyList<Losses.ILoss> AdditionalLosses { get; init; } = [];

    /// <summary>Gets the logger.</summary>
    /// <value>Default <see langword="null"/> (no logging).</value>
    public ILogger? Logger { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        ValidateLimits();
        const int maxSide = 16384;
        Check(ImageSize is null || ImageSize is >= 16 and <= maxSide, nameof(ImageSize), $"must be between 16 and {maxSide} pixels (or null for the content's size)");
        Check(StyleSize is null || StyleSize is >= 16 and <= maxSide, nameof(StyleSize), $"must be between 16 and {maxSide} pixels (or null)");
        Check(ContentLayer is >= 0 and < SqueezeNetFeatureExtractor.LayerCount, nameof(ContentLayer), $"must be a layer index from 0 to {SqueezeNetFeatureExtractor.LayerCount - 1}");
        CheckWeight(ContentWeight, nameof(ContentWeight));
        Check(StyleLayers is { Count: > 0 }, nameof(StyleLayers), "must name at least one layer");
        Check(StyleLayers.All(l => l is >= 0 and < SqueezeNetFeatureExtractor.LayerCount), nameof(StyleLayers), $"must be layer indices from 0 to {SqueezeNetFeatureExtractor.LayerCount - 1}");
        Check(StyleLayers.Distinct().Count() == StyleLayers.Count, nameof(StyleLayers), "must not repeat a layer");
        Check(StyleWeights is not null && StyleWeights.Count == StyleLayers.Count, nameof(StyleWeights), $"must have one weight per style layer ({StyleLayers.Count})");
        foreach (var weight in StyleWeights!)
        {
            CheckWeight(weight, nameof(StyleWeights));
        }

        CheckWeight(TotalVariationWeight, nameof(TotalVariationWeight));
        Check(Iterations is >= 0 and <= 1_000_000, nameof(Iterations), "must be between 0 and 1,000,000");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), "is not a known optimiser");
        CheckRate(LearningRate, nameof(LearningRate));
        CheckRate(DecayedLearningRate, nameof(DecayedLearningRate));
        CheckRate(LbfgsLearningRate, nameof(LbfgsLearningRate));
        Check(DecayStartFraction is >= 0 and <= 1, nameof(DecayStartFraction), "must be between 0 and 1");
        Check(LbfgsHistorySize is > 0 and <= 10_000, nameof(LbfgsHistorySize), "must be between 1 and 10,000");
        Check(ClampBound is null || (double.IsFinite(ClampBound.Value) && ClampBound > 0), nameof(ClampBound), "must be a finite, positive number or null");
        Check(UnclampedFinalIterations >= 0, nameof(UnclampedFinalIterations), "must not be negative");
        Check(Enum.IsDefined(Initialization), nameof(Initialization), "is not a known initialisation");
        Check(Initialization != Initialization.Image || InitialImage is not null, nameof(InitialImage), "must be set when Initialization is Image");
        Check(Threads is null || Threads is > 0 and <= 1024, nameof(Threads), "must be between 1 and 1024 (or null)");
        Check(!string.IsNullOrWhiteSpace(Device), nameof(Device), "must be 'auto', 'cpu', 'cuda' or 'cuda:N'");
        try
        {
            DeviceSelector.Parse(Device);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ex.Message, nameof(Device), ex);
        }

        Check(WeightsPath is null || !string.IsNullOrWhiteSpace(WeightsPath), nameof(WeightsPath), "must not be empty");
        Check(AdditionalLosses is not null && AdditionalLosses.All(l => l is not null), nameof(AdditionalLosses), "must not be null or hold null entries");
        Check(ProgressInterval > 0, nameof(ProgressInterval), "must be positive");
        ValidateHighResolution();
        Check(PreviewInterval >= 0, nameof(PreviewInterval), "must not be negative");
    }

    /// <summary>Gets the optimiser settings these options imply.</summary>
    /// <returns>Settings for <see cref="StyleTransferOptimizer"/>.</returns>
    public OptimizerSettings ToOptimizerSettings()
    {
        var decayAt = (int)Math.Round(Iterations * DecayStartFraction);
        var adam = Optimizer == OptimizerKind.Adam;
        return new OptimizerSettings
        {
            Iterations = Iterations,
            Optimizer = Optimizer,
            LearningRate = adam ? LearningRate : LbfgsLearningRate,
            Schedule = adam && decayAt < Iterations ? [new LearningRateChange(decayAt, DecayedLearningRate)] : [],
            ClampBound = ClampBound,
            UnclampedFinalIterations = UnclampedFinalIterations,
            LbfgsHistorySize = LbfgsHistorySize,
            ProgressInterval = ProgressInterval,
            PreviewInterval = PreviewInterval,
        };
    }

    private static void CheckWeight(double weight, string name)
        => Check(double.IsFinite(weight) && weight is >= 0 and <= 1e12, name, $"must be finite and between 0 and 1e12 (got {weight})");

    private static void CheckRate(double rate, string name)
        => Check(double.IsFinite(rate) && rate is > 0 and <= 1e4, name, $"must be finite and between 0 (exclusive) and 10,000 (got {rate})");

    private static void Check(bool ok, string name, string requirement)
    {
        if (!ok)
        {
            throw new ArgumentException($"StyleTransferOptions.{name} {requirement}.", name);
        }
    }
}
