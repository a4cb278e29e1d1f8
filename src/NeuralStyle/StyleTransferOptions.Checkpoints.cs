using NeuralStyle.Optimization;
using NeuralStyle.Pipeline.Stages;

namespace NeuralStyle;

public sealed partial record StyleTransferOptions
{
    /// <summary>
    /// Gets how often the run attaches an <see cref="OptimizerCheckpoint"/> to a progress report (<see cref="StyleTransferProgress.Checkpoint"/>):
    /// what a job system stores to go on after a crash with <see cref="ResumeFrom"/>, ending on the same image as without the crash.
    /// </summary>
    /// <value>
    /// Default 0 (never); otherwise every N iterations before the last. Needs the Adam optimiser and a run optimised as one image
    /// (no coarse-to-fine stages, no tiles); other runs are refused before any work. Not for video.
    /// </value>
    public int CheckpointInterval { get; init; }

    /// <summary>Gets the checkpoint the run goes on from: its pixels replace the initial image, and Adam's state, the iteration and the learning rate are restored.</summary>
    /// <value>
    /// Default <see langword="null"/>. It must come from a run with the same options and images; its shape, iteration and learning
    /// rate are checked against this run's before any work. Needs the Adam optimiser and a run optimised as one image. Not for video.
    /// </value>
    public OptimizerCheckpoint? ResumeFrom { get; init; }

    private void ValidateCheckpoints()
    {
        Check(CheckpointInterval >= 0, nameof(CheckpointInterval), "must not be negative");
        Check(CheckpointInterval == 0 || Optimizer.Kind == OptimizerKind.Adam, nameof(CheckpointInterval), "needs the Adam optimiser");
        Check(ResumeFrom is null || Optimizer.Kind == OptimizerKind.Adam, nameof(ResumeFrom), "needs the Adam optimiser");
    }

    /// <summary>Refuses checkpoints in a run that is not one whole-image optimisation, and a checkpoint that does not fit the run.</summary>
    internal void CheckCheckpoints(StagePlan plan)
    {
        var whole = plan.Stages is [{ TileSize: null }];
        Check(CheckpointInterval == 0 || whole, nameof(CheckpointInterval), "needs a run optimised as one image; set CoarseToFine to Off and no TileSize or MaxMemoryBytes that tiles it");
        Check(ResumeFrom is null || whole, nameof(ResumeFrom), "needs a run optimised as one image; set CoarseToFine to Off and no TileSize or MaxMemoryBytes that tiles it");
        if (ResumeFrom is { } checkpoint)
        {
            var stage = plan.Stages[0].Stage;
            checkpoint.CheckFits(Optimizer, Iterations, [checkpoint.Shape[0], 3, stage.Height, stage.Width], $"StyleTransferOptions.{nameof(ResumeFrom)}");
        }
    }
}
