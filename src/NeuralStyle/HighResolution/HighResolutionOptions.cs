using System;
using NeuralStyle.Optimization;
using static NeuralStyle.Internal.OptionCheck;

namespace NeuralStyle.HighResolution;

/// <summary>
/// How large images are made (<see cref="StyleTransferOptions.HighResolution"/>): coarse-to-fine stages, the anchors that
/// keep a stage's picture, and the tiles a memory budget leads to. A sealed record: vary it with <c>with</c>.
/// </summary>
public sealed record HighResolutionOptions
{
    /// <summary>Gets whether large images are made coarse-to-fine: first at <see cref="CoarseSize"/>, then upsampled by <see cref="ScaleFactor"/> per stage.</summary>
    /// <value>Default <see cref="CoarseToFineMode.Auto"/>: on when <see cref="StyleTransferOptions.ImageSize"/> (or the content's shorter side) exceeds <see cref="CoarseToFineThreshold"/>.</value>
    public CoarseToFineMode CoarseToFine { get; init; } = CoarseToFineMode.Auto;

    /// <summary>Gets the shorter side above which <see cref="CoarseToFineMode.Auto"/> turns coarse-to-fine on.</summary>
    /// <value>Default 512 pixels.</value>
    public int CoarseToFineThreshold { get; init; } = 512;

    /// <summary>Gets the shorter side of the first (coarsest) stage.</summary>
    /// <value>Default 256 pixels.</value>
    public int CoarseSize { get; init; } = 256;

    /// <summary>Gets the upsampling factor between stages.</summary>
    /// <value>Default 2; between 1.1 and 4 (√2 gives more, gentler stages).</value>
    public double ScaleFactor { get; init; } = 2.0;

    /// <summary>Gets the iterations of each stage after the first, as a fraction of <see cref="StyleTransferOptions.Iterations"/>.</summary>
    /// <value>Default 1: every stage runs <see cref="StyleTransferOptions.Iterations"/> (measured: half as many left the fine stages too little time to carry the style).</value>
    public double FineIterationsFraction { get; init; } = 1.0;

    /// <summary>Gets Adam's initial learning rate in the stages after the first, which start from an already stylised image.</summary>
    /// <value>Default 1.0 (the first stage uses <see cref="OptimizerOptions.LearningRate"/>); the schedule's decay applies in every stage.</value>
    public double FineLearningRate { get; init; } = 1.0;

    /// <summary>
    /// Gets the weight of the anchor in the stages after the first: <c>Σ_j w_j · Σ (down_j(x) − P_j)²</c> between the image
    /// downsampled to each earlier stage's size and that stage's result (normalised pixels), with <c>w_j</c> this weight over
    /// stage <c>j</c>'s area relative to the first. It keeps the earlier stages' composition, colours and large strokes
    /// while a stage adds detail; without it a fine stage repaints the picture instead of refining it.
    /// </summary>
    /// <value>Default 100 (measured in docs/high-resolution.md); 0 leaves it out. A tiled stage anchors each tile to its part of the previous result.</value>
    public double StageAnchorWeight { get; init; } = 100;

    /// <summary>
    /// Gets the weight of the first stage's style statistics in the whole-image stages after it:
    /// <c>f · Σ_l w_l Σ (G_l(down_0(x)) − G_l(P_0))²</c>, the Gram matrices of the image brought down to the first stage's
    /// size against those of the first stage's result, with the style layers' weights <c>w_l</c>. The pixel anchor
    /// (<see cref="StageAnchorWeight"/>) holds the picture; this holds its texture at that scale, which fine strokes would
    /// otherwise leak into (the-scream at 1024 px: 1.28× the 256 px run's style loss without it, 1.03× with it).
    /// </summary>
    /// <value>Default 100 (measured in docs/high-resolution.md); 0 leaves it out. A tiled stage compares each tile's statistics with those of its part of the first stage's result.</value>
    public double StageStyleAnchorWeight { get; init; } = 100;

    /// <summary>Gets the largest shorter side the style image is brought to in the stages of a coarse-to-fine run.</summary>
    /// <value>
    /// Default 2048. Stages scale the style with the image so that its strokes keep their size relative to the picture; past
    /// this side they stay at this size (finer strokes, and the style's features fit in memory).
    /// </value>
    public int MaxStyleSize { get; init; } = 2048;

    /// <summary>Gets the side of the tiles that stages too large for memory are optimised in.</summary>
    /// <value>Default <see langword="null"/>: no tiling unless <see cref="MaxMemoryBytes"/> requires it.</value>
    public int? TileSize { get; init; }

    /// <summary>Gets the overlap of neighbouring tiles, across which they are blended.</summary>
    /// <value>Default 48 pixels.</value>
    public int TileOverlap { get; init; } = 48;

    /// <summary>Gets the memory budget of a run (see <see cref="StyleTransfer.EstimateMemory"/>).</summary>
    /// <value>Default <see langword="null"/> (no budget). When a stage would need more, it is optimised in tiles that fit.</value>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>The smallest tile side for an overlap: at least 64 pixels and more than twice the overlap, a multiple of 16.</summary>
    /// <param name="tileOverlap">The overlap of neighbouring tiles (<see cref="TileOverlap"/>).</param>
    /// <returns>The smallest value <see cref="TileSize"/> may take, and the smallest tile a memory budget may lead to.</returns>
    public static int MinimumTileSize(int tileOverlap) => Math.Max(64, ((2 * tileOverlap) + 16) / 16 * 16);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message and the parameter name give its path.</exception>
    public void Validate()
    {
        const string at = nameof(StyleTransferOptions.HighResolution) + ".";
        Require(Enum.IsDefined(CoarseToFine), at + nameof(CoarseToFine), "is not a known mode");
        Require(CoarseToFineThreshold is >= 32 and <= 65536, at + nameof(CoarseToFineThreshold), "must be between 32 and 65536 pixels");
        Require(CoarseSize is >= 32 and <= 65536, at + nameof(CoarseSize), "must be between 32 and 65536 pixels");
        Require(double.IsFinite(ScaleFactor) && ScaleFactor is >= 1.1 and <= 4, at + nameof(ScaleFactor), "must be between 1.1 and 4");
        Require(double.IsFinite(FineIterationsFraction) && FineIterationsFraction is > 0 and <= 4, at + nameof(FineIterationsFraction), "must be greater than 0 and at most 4");
        Rate(FineLearningRate, at + nameof(FineLearningRate));
        Require(double.IsFinite(StageAnchorWeight) && StageAnchorWeight is >= 0 and <= 1e6, at + nameof(StageAnchorWeight), "must be between 0 and 1000000");
        Require(double.IsFinite(StageStyleAnchorWeight) && StageStyleAnchorWeight is >= 0 and <= 1e6, at + nameof(StageStyleAnchorWeight), "must be between 0 and 1000000");
        Require(MaxStyleSize is >= 32 and <= 16384, at + nameof(MaxStyleSize), "must be between 32 and 16384 pixels");
        Require(TileOverlap is >= 0 and <= 1024, at + nameof(TileOverlap), "must be between 0 and 1024 pixels");
        Require(TileSize is null || TileSize >= MinimumTileSize(TileOverlap), at + nameof(TileSize), $"must be at least {MinimumTileSize(TileOverlap)} pixels for an overlap of {TileOverlap} (at least 64 and more than twice the overlap)");
        Require(MaxMemoryBytes is null || MaxMemoryBytes >= 64L << 20, at + nameof(MaxMemoryBytes), "must be at least 64 MB");
    }
}
