using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.HighResolution;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using NeuralStyle.Weights;
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

    /// <summary>Gets extra loss terms added to the content, style and total-variation losses.</summary>
    /// <value>
    /// Default empty. Each term sees the features of the image being optimised up to the deepest layer any term reads;
    /// the library does not dispose them. Terms must live on the run's device.
    /// </value>
    public IReadOnlyList<Losses.ILoss> AdditionalLosses { get; init; } = [];

    /// <summary>Gets how the pixels are optimised: the gradient method, its learning rates, the clamp and the reports.</summary>
    /// <value>Default: the seed's Adam schedule (see <see cref="OptimizerOptions"/>).</value>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Gets how large images are made: coarse-to-fine stages, their anchors and tiles.</summary>
    /// <value>Default: coarse-to-fine above 512 pixels, no memory budget (see <see cref="HighResolutionOptions"/>).</value>
    public HighResolutionOptions HighResolution { get; init; } = new();

    /// <summary>Gets where the default network's weights come from: a file, the cache or a verified download.</summary>
    /// <value>
    /// Default: the <c>NEURALSTYLE_WEIGHTS</c> environment variable, then the per-user cache, then a verified download of
    /// torchvision's file (see <see cref="WeightsLocator"/>). Not used with <see cref="RuntimeOptions.FeatureExtractor"/>.
    /// </value>
    public WeightsOptions Weights { get; init; } = new();

    /// <summary>Gets where and within what bounds the run computes: device, threads, network, image size limit, logger.</summary>
    /// <value>Default: the best device, libtorch's threads, SqueezeNet 1.1 (see <see cref="RuntimeOptions"/>).</value>
    public RuntimeOptions Runtime { get; init; } = new();
}
