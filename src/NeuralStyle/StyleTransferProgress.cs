using System;
using SkiaSharp;

namespace NeuralStyle;

/// <summary>A progress report of a running style transfer.</summary>
/// <param name="Iteration">The number of iterations done so far (1 after the first).</param>
/// <param name="TotalIterations">The number of iterations the run will do.</param>
/// <param name="Losses">The loss terms evaluated at this iteration, before its update (no terms outside <see cref="StyleTransferPhase.Optimizing"/>).</param>
/// <param name="LearningRate">The learning rate used for this iteration (0 outside <see cref="StyleTransferPhase.Optimizing"/>).</param>
/// <param name="Elapsed">The time since the run started (from <c>RunAsync</c>'s worker, weights loading included).</param>
public sealed record StyleTransferProgress(int Iteration, int TotalIterations, LossValues Losses, double LearningRate, TimeSpan Elapsed)
{
    /// <summary>Gets the total loss.</summary>
    /// <value>The sum of <see cref="Losses"/>' terms.</value>
    public double TotalLoss => Losses.Total;

    /// <summary>Gets the fraction of the run done.</summary>
    /// <value>From 0 to 1.</value>
    public double Fraction => TotalIterations == 0 ? 1 : (double)Iteration / TotalIterations;

    /// <summary>Gets the coarse-to-fine stage this report belongs to (1-based).</summary>
    /// <value>1 for a single-scale run.</value>
    public int Stage { get; init; } = 1;

    /// <summary>Gets the number of coarse-to-fine stages.</summary>
    /// <value>1 for a single-scale run.</value>
    public int StageCount { get; init; } = 1;

    /// <summary>Gets the tile this report belongs to (1-based) when the image is optimised in tiles.</summary>
    /// <value>1 when not tiled.</value>
    public int Tile { get; init; } = 1;

    /// <summary>Gets the number of tiles of the current stage.</summary>
    /// <value>1 when not tiled.</value>
    public int TileCount { get; init; } = 1;

    /// <summary>Gets what the run is doing: reports come at the start of each phase and, while optimising, every <see cref="Optimization.OptimizerOptions.ProgressInterval"/> iterations.</summary>
    /// <value>Default <see cref="StyleTransferPhase.Optimizing"/>.</value>
    public StyleTransferPhase Phase { get; init; } = StyleTransferPhase.Optimizing;

    /// <summary>
    /// Gets the estimated time to the end of the optimisation: the stage under way at its speed over the later half of its
    /// iterations so far (from the end of its first, slower iteration, allowing for the device's slower early iterations),
    /// and the later stages of a coarse-to-fine or tiled run scaled from it by their pixels per iteration (by the device's
    /// usual growth until two sizes are measured, then by the line fitted to them), each with its set-up (targets, first
    /// iteration) as measured for the earlier stages. With L-BFGS it assumes every iteration is run: the run may end sooner.
    /// </summary>
    /// <value><see langword="null"/> until 10 iterations after the first have been timed (the estimate would mean little before).</value>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>Gets a preview of the image at this iteration, when previews were asked for.</summary>
    /// <value>
    /// A bitmap that the receiver may keep (and should dispose), or <see langword="null"/>: the image as the result would be at
    /// this iteration, at the result's size and with the result's finishing (mask composite, preserved colours) in every kind of run.
    /// </value>
    public SKBitmap? Preview { get; init; }

    /// <summary>Gets the optimiser's checkpoint at this iteration, when checkpoints were asked for (<see cref="StyleTransferOptions.CheckpointInterval"/>).</summary>
    /// <value>A checkpoint to store and give back as <see cref="StyleTransferOptions.ResumeFrom"/>, or <see langword="null"/>.</value>
    public Optimization.OptimizerCheckpoint? Checkpoint { get; init; }
}
