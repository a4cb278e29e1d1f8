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
    /// <summary>The smallest <see cref="StyleScale"/>.</summary>
    public const double MinStyleScale = 0.25;

    /// <summary>The largest <see cref="StyleScale"/>.</summary>
    public const double MaxStyleScale = 4;

    /// <summary>Gets the length of the shorter side of the content (and result) image, in pixels.</summary>
    /// <value>Default 192; <see langword="null"/> keeps the content image's size.</value>
    public int? ImageSize { get; init; } = 192;

    /// <summary>Gets the length of the shorter side the style image is resized to before its Gram matrices are computed.</summary>
    /// <value>Default 512; <see langword="null"/> uses <see cref="ImageSize"/> (or the style image's own size when that is null too).</value>
    public int? StyleSize { get; init; } = 512;

    /// <summary>
    /// Gets the style image's working size relative to the content's: the style's shorter side becomes
    /// <c>round(StyleScale × the content's shorter side)</c> (after <see cref="ImageSize"/>), overriding <see cref="StyleSize"/>.
    /// The style's patterns keep their size in pixels: smaller values paint smaller, finer strokes, larger values bigger ones.
    /// </summary>
    /// <value>Default <see langword="null"/> (use <see cref="StyleSize"/>); otherwise from 0.25 to 4.</value>
    public double? StyleScale { get; init; }

    /// <summary>Gets the feature layer whose activations the content loss compares.</summary>
    /// <value>Default 3 (<c>fire2</c>).</value>
    public int ContentLayer { get; init; } = 3;

    /// <summary>Gets the weight of the content loss.</summary>
    /// <value>Default 0.05.</value>
    public double ContentWeight { get; init; } = 5e-2;

    /// <summary>Gets several content layers; when set, <see cref="ContentLayer"/> is ignored.</summary>
    /// <value>Default <see langword="null"/> (just <see cref="ContentLayer"/>). Layer indices; see <see cref="Features.SqueezeNetFeatureExtractor.LayerIndices"/> for names.</value>
    public IReadOnlyList<int>? ContentLayers { get; init; }

    /// <summary>Gets the relative weight of each content layer; each term's weight is <see cref="ContentWeight"/> times its entry.</summary>
    /// <value>Default <see langword="null"/> (1 for every layer); one per entry of <see cref="ContentLayers"/> (or a single entry for <see cref="ContentLayer"/>).</value>
    public IReadOnlyList<double>? ContentLayerWeights { get; init; }

    /// <summary>Gets the feature layers whose Gram matrices the style loss compares.</summary>
    /// <value>Default 1, 4, 6, 7 (<c>relu1</c>, <c>fire3</c>, <c>fire4</c>, <c>fire5</c>).</value>
    public IReadOnlyList<int> StyleLayers { get; init; } = [1, 4, 6, 7];

    /// <summary>Gets the weight of each style layer.</summary>
    /// <value>Default 20000, 500, 12, 1; one per entry of <see cref="StyleLayers"/>.</value>
    public IReadOnlyList<double> StyleWeights { get; init; } = [20000, 500, 12, 1];

    /// <summary>Gets the total the style-layer weights are scaled to: each weight becomes <c>w_l · T / Σ w</c>.</summary>
    /// <value>Default <see langword="null"/> (weights as given). Applied before <see cref="StyleStrength"/>.</value>
    public double? NormalizeStyleWeightsTo { get; init; }

    /// <summary>
    /// Gets a single dial for how strongly the style is painted: every style-layer weight is multiplied by it (after
    /// <see cref="NormalizeStyleWeightsTo"/>); the content and total-variation weights stay. 0 leaves the content and
    /// smoothness terms only, 1 is the preset, 2 doubles the style's pull.
    /// </summary>
    /// <value>Default 1; from 0 to 1000.</value>
    public double StyleStrength { get; init; } = 1.0;

    /// <summary>
    /// Gets the blend weights of several style images (see the <c>RunAsync</c> overloads taking a list of styles). The weights
    /// are normalised to sum to 1 and the style targets mixed: <c>A_l = Σ_k w_k · Gram_k,l</c>. With <see cref="StyleMasks"/>,
    /// style <c>k</c>'s term is scaled by <c>w_k / max_j w_j</c> instead.
    /// </summary>
    /// <value>Default <see langword="null"/> (equal weights); otherwise one non-negative weight per style image, with a positive sum.</value>
    public IReadOnlyList<double>? StyleBlendWeights { get; init; }

    /// <summary>
    /// Gets the spatial control: where to stylise. White stylises, black keeps the content, grey blends. Read as luminance and
    /// resized to the result's size. Style statistics are taken over the white region only, and the result is
    /// <c>m ⊙ x + (1 − m) ⊙ content</c>.
    /// </summary>
    /// <value>Default <see langword="null"/> (stylise everywhere). Not disposed.</value>
    public SKBitmap? Mask { get; init; }

    /// <summary>
    /// Gets one mask per style image: style <c>k</c>'s targets apply where its mask is white. Pixels no mask covers keep the content
    /// (the stylised region is <c>min(1, Σ_k m_k)</c>, times <see cref="Mask"/> when both are set).
    /// </summary>
    /// <value>Default <see langword="null"/>; otherwise one bitmap per style image, in order. Not disposed.</value>
    public IReadOnlyList<SKBitmap>? StyleMasks { get; init; }

    /// <summary>Gets the weight of the total-variation (smoothness) loss.</summary>
    /// <value>Default 0.05.</value>
    public double TotalVariationWeight { get; init; } = 5e-2;

    /// <summary>Gets how the result keeps the content's colours.</summary>
    /// <value>Default <see cref="ColorPreservation.None"/>.</value>
    public ColorPreservation PreserveColors { get; init; } = ColorPreservation.None;

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

    /// <summary>Gets L-BFGS's termination tolerance on the change of the loss or the step between iterations.</summary>
    /// <value>Default 1e-9.</value>
    public double LbfgsTolerance { get; init; } = 1e-9;

    /// <summary>
    /// Gets the bound of the pixel clamp, in normalised units, applied before each Adam iteration. L-BFGS runs unclamped:
    /// changing the pixels behind its back corrupts its curvature history and makes the loss oscillate or diverge.
    /// </summary>
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

    /// <summary>Gets the share of noise <c>r</c> when <see cref="Initialization"/> is <see cref="NeuralStyle.Initialization.Blend"/>: <c>(1 − r) · content + r · noise</c>.</summary>
    /// <value>Default 0.5; from 0 (the content) to 1 (the noise of <see cref="NeuralStyle.Initialization.Noise"/>).</value>
    public double InitNoiseRatio { get; init; } = 0.5;

    /// <summary>Gets the seed of everything random: the noise of the <see cref="NeuralStyle.Initialization.Noise"/> and <see cref="NeuralStyle.Initialization.Blend"/> initialisations (nothing else is random).</summary>
    /// <value>Default 0. Same seed, inputs, options, device and thread count give bit-identical results on the CPU.</value>
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
    /// <value>Default every 10 iterations; the last, and iterations with a preview, are always reported.</value>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>
    /// Gets how often progress reports carry a preview bitmap: the image as the result would be at that iteration (with the mask
    /// composite and preserved colours applied). Iterations with a preview are reported even between <see cref="ProgressInterval"/>s.
    /// </summary>
    /// <value>Default 0 (never); otherwise every N iterations and at the last.</value>
    public int PreviewInterval { get; init; }

    /// <summary>Gets extra loss terms added to the content, style and total-variation losses.</summary>
    /// <value>
    /// Default empty. Each term sees the features of the image being optimised up to the deepest layer any term reads;
    /// the library does not dispose them. Terms must live on the run's device.
    /// </value>
    public IReadOnlyList<Losses.ILoss> AdditionalLosses { get; init; } = [];

    /// <summary>Gets the network the losses read features from.</summary>
    /// <value>
    /// Default <see langword="null"/>: SqueezeNet 1.1 from <see cref="WeightsPath"/>. Otherwise a frozen network of the caller's,
    /// not disposed by the library: the run happens on its <see cref="IFeatureExtractor.Device"/> (<see cref="Device"/> is not used),
    /// layer indices refer to its <see cref="IFeatureExtractor.LayerNames"/>, and the smallest image is its
    /// <see cref="IFeatureExtractor.MinimumInputSizeUpTo"/> the deepest layer used.
    /// </value>
    public IFeatureExtractor? FeatureExtractor { get; init; }

    /// <summary>Gets the logger.</summary>
    /// <value>Default <see langword="null"/> (no logging).</value>
    public ILogger? Logger { get; init; }
}
