using System;
using System.Collections.Generic;
using System.Linq;

namespace NeuralStyle.Optimization;

/// <summary>Settings of <see cref="StyleTransferOptimizer"/>. The defaults are the seed's.</summary>
public sealed record OptimizerSettings
{
    /// <summary>Gets the number of iterations.</summary>
    /// <value>Default 200. For L-BFGS, one iteration is one function evaluation.</value>
    public int Iterations { get; init; } = 200;

    /// <summary>Gets the gradient method.</summary>
    /// <value>Default <see cref="OptimizerKind.Adam"/>.</value>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Gets the initial learning rate.</summary>
    /// <value>Default 3.0 (pixels are in normalised units).</value>
    public double LearningRate { get; init; } = 3.0;

    /// <summary>Gets the changes of the learning rate.</summary>
    /// <value>Default: 0.1 from iteration 180.</value>
    public IReadOnlyList<LearningRateChange> Schedule { get; init; } = [new(180, 0.1)];

    /// <summary>Gets the bound of the pixel clamp: pixels are clamped to [−bound, bound] before each iteration.</summary>
    /// <value>Default 1.5 (normalised units); <see langword="null"/> disables clamping.</value>
    public double? ClampBound { get; init; } = 1.5;

    /// <summary>Gets the number of final iterations that run without clamping.</summary>
    /// <value>Default 10, as the reference implementation.</value>
    public int UnclampedFinalIterations { get; init; } = 10;

    /// <summary>Gets the number of past updates L-BFGS keeps.</summary>
    /// <value>Default 100.</value>
    public int LbfgsHistorySize { get; init; } = 100;

    /// <summary>Gets the L-BFGS termination tolerance on the change of the loss between iterations.</summary>
    /// <value>Default 1e-9.</value>
    public double LbfgsTolerance { get; init; } = 1e-9;

    /// <summary>Gets how often progress is reported (and losses copied from the device).</summary>
    /// <value>Default every 10 iterations; the last iteration, and iterations with a preview, are always reported.</value>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>Gets how often a preview bitmap is attached to progress reports.</summary>
    /// <value>Default 0 (never); otherwise every N iterations and at the last, with a progress report at those iterations too.</value>
    public int PreviewInterval { get; init; }

    /// <summary>Gets how often an <see cref="OptimizerCheckpoint"/> is attached to progress reports (Adam only).</summary>
    /// <value>Default 0 (never); otherwise every N iterations before the last, with a progress report at those iterations too.</value>
    public int CheckpointInterval { get; init; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Check(Iterations >= 0, nameof(Iterations), "must not be negative");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), "must be a finite, positive number");
        Check(Schedule is not null, nameof(Schedule), "must not be null");
        Check(Schedule!.All(c => c.Iteration >= 0 && double.IsFinite(c.LearningRate) && c.LearningRate > 0), nameof(Schedule), "needs non-negative iterations and finite, positive rates");
        Check(ClampBound is null || (double.IsFinite(ClampBound.Value) && ClampBound > 0), nameof(ClampBound), "must be a finite, positive number or null");
        Check(UnclampedFinalIterations >= 0, nameof(UnclampedFinalIterations), "must not be negative");
        Check(LbfgsHistorySize > 0, nameof(LbfgsHistorySize), "must be positive");
        Check(double.IsFinite(LbfgsTolerance) && LbfgsTolerance >= 0, nameof(LbfgsTolerance), "must be a finite, non-negative number");
        Check(ProgressInterval > 0, nameof(ProgressInterval), "must be positive");
        Check(PreviewInterval >= 0, nameof(PreviewInterval), "must not be negative");
        Check(CheckpointInterval >= 0, nameof(CheckpointInterval), "must not be negative");
        Check(CheckpointInterval == 0 || Optimizer == OptimizerKind.Adam, nameof(CheckpointInterval), "needs the Adam optimiser (L-BFGS keeps its state in native code)");
    }

    /// <summary>Gets the learning rate in force at an iteration.</summary>
    /// <param name="iteration">The zero-based iteration.</param>
    /// <returns>The rate.</returns>
    public double LearningRateAt(int iteration)
    {
        var rate = LearningRate;
        foreach (var change in Schedule.OrderBy(c => c.Iteration))
        {
            if (change.Iteration <= iteration)
            {
                rate = change.LearningRate;
            }
        }

        return rate;
    }

    private static void Check(bool ok, string name, string requirement)
    {
        if (!ok)
        {
            throw new ArgumentException($"{name} {requirement}.", name);
        }
    }
}
