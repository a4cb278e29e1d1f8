using System;
using NeuralStyle.HighResolution;

namespace NeuralStyle.Video;

/// <summary>
/// Everything that shapes a video style transfer: the still-image options applied to every frame, and how frames follow
/// each other. A sealed record: derive variants with <c>with</c>.
/// </summary>
public sealed record VideoStyleTransferOptions
{
    /// <summary>The default of <see cref="FrameIterations"/>.</summary>
    public const int DefaultFrameIterations = 60;

    /// <summary>The default of <see cref="FrameLearningRate"/>.</summary>
    public const double DefaultFrameLearningRate = 0.1;

    /// <summary>The default of <see cref="TemporalWeight"/>.</summary>
    public const double DefaultTemporalWeight = 10;

    /// <summary>
    /// Gets the options of each frame's style transfer: preset, sizes (<see cref="StyleTransferOptions.ImageSize"/> is the
    /// output's shorter side, rounded down to an even number of pixels), weights, style blend, colour preservation, masks
    /// (a still mask, resized to the frames), optimiser, device and threads. <see cref="StyleTransferOptions.Iterations"/> is
    /// the first frame's count (and every frame's when <see cref="TemporalConsistency"/> is off).
    /// </summary>
    /// <value>Default <see cref="StyleTransferPresets.CompositionVii"/>.</value>
    public StyleTransferOptions Style { get; init; } = StyleTransferPresets.CompositionVii;

    /// <summary>
    /// Gets a value indicating whether frames follow each other (Ruder et al. 2016): each frame after the first starts from the
    /// previous result warped along the optical flow and is held near it by a <see cref="Losses.TemporalLoss"/>. Off, every
    /// frame is stylised on its own from its content, as a still image.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool TemporalConsistency { get; init; } = true;

    /// <summary>Gets the iterations of each frame after the first (the first has <see cref="StyleTransferOptions.Iterations"/>).</summary>
    /// <value>Default 60 (measured in docs/video.md); from 0 to 1,000,000. Used when <see cref="TemporalConsistency"/> is on.</value>
    public int FrameIterations { get; init; } = DefaultFrameIterations;

    /// <summary>
    /// Gets Adam's initial learning rate for the frames after the first, which start from an already stylised image; the
    /// still rate (<see cref="Optimization.OptimizerOptions.LearningRate"/>, 3 in the presets) would repaint them.
    /// </summary>
    /// <value>Default 0.1 (measured in docs/video.md); from 0 (exclusive) to 10,000.</value>
    public double FrameLearningRate { get; init; } = DefaultFrameLearningRate;

    /// <summary>Gets the weight <c>λ</c> of the temporal loss (see <see cref="Losses.TemporalLoss"/>).</summary>
    /// <value>Default 10 (measured in docs/video.md); finite and not negative.</value>
    public double TemporalWeight { get; init; } = DefaultTemporalWeight;

    /// <summary>
    /// Gets the folder where finished frames are kept as they complete (a resumed run continues from them).
    /// </summary>
    /// <value>Default <see langword="null"/>: <c>OUTPUT.frames</c> beside the output file.</value>
    public string? WorkFolder { get; init; }

    /// <summary>Gets a value indicating whether the work folder is kept after the output has been written.</summary>
    /// <value>Default <see langword="false"/> (deleted once the output exists).</value>
    public bool KeepWorkFolder { get; init; }

    /// <summary>Gets the folder that holds <c>ffmpeg</c> and <c>ffprobe</c>.</summary>
    /// <value>Default <see langword="null"/>: found on the <c>PATH</c>.</value>
    public string? FfmpegFolder { get; init; }

    /// <summary>Gets the longest input accepted; the frames stream through, so memory does not depend on it.</summary>
    /// <value>Default 24 hours.</value>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Gets the output's constant-quality factor (x264's CRF; VP9 gets it plus 13): lower is better and larger.</summary>
    /// <value>Default 18; from 0 to 50.</value>
    public int Quality { get; init; } = 18;

    /// <summary>Checks every option, the per-frame still options included, and refuses still options video cannot honour.</summary>
    /// <exception cref="ArgumentException">An option is out of range or does not apply to video; the message names it.</exception>
    public void Validate()
    {
        Check(Style is not null, nameof(Style), "must be set");
        Style!.Validate();
        Check(FrameIterations is >= 0 and <= 1_000_000, nameof(FrameIterations), "must be between 0 and 1,000,000");
        Check(double.IsFinite(FrameLearningRate) && FrameLearningRate is > 0 and <= 1e4, nameof(FrameLearningRate), "must be finite and between 0 (exclusive) and 10,000");
        Check(double.IsFinite(TemporalWeight) && TemporalWeight is >= 0 and <= 1e12, nameof(TemporalWeight), "must be finite and between 0 and 1e12");
        Check(WorkFolder is null || !string.IsNullOrWhiteSpace(WorkFolder), nameof(WorkFolder), "must not be empty");
        Check(FfmpegFolder is null || !string.IsNullOrWhiteSpace(FfmpegFolder), nameof(FfmpegFolder), "must not be empty");
        Check(MaxDuration > TimeSpan.Zero, nameof(MaxDuration), "must be positive");
        Check(Quality is >= 0 and <= 50, nameof(Quality), "must be between 0 and 50");
        Refuse(Style.Initialization == Initialization.Image || Style.InitialImage is not null, "InitialImage", "each frame after the first starts from the previous result; choose the first frame's start with StyleTransferOptions.Initialization");
        Refuse(Style.CheckpointInterval > 0, "CheckpointInterval", "a video is made frame by frame; a checkpoint holds one optimisation");
        Refuse(Style.ResumeFrom is not null, "ResumeFrom", "a video is made frame by frame; a checkpoint holds one optimisation");
        Refuse(Style.HighResolution.TileSize is not null, "HighResolution.TileSize", "tiled stages do not take the temporal loss; give a smaller ImageSize");
        Refuse(Style.HighResolution.MaxMemoryBytes is not null, "HighResolution.MaxMemoryBytes", "tiled stages do not take the temporal loss; give a smaller ImageSize");
        Refuse(Style.HighResolution.CoarseToFine == CoarseToFineMode.On, "HighResolution.CoarseToFine", "use Auto (the first frame is then made coarse-to-fine above HighResolution.CoarseToFineThreshold; later frames refine the warped previous frame at full size) or Off");
    }

    private static void Check(bool ok, string name, string requirement)
    {
        if (!ok)
        {
            throw new ArgumentException($"VideoStyleTransferOptions.{name} {requirement}.", name);
        }
    }

    private static void Refuse(bool used, string styleOption, string why)
    {
        if (used)
        {
            throw new ArgumentException($"StyleTransferOptions.{styleOption} cannot be used for video: {why}.", styleOption);
        }
    }
}
