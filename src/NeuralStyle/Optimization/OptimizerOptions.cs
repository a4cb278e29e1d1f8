using System;
using static NeuralStyle.Internal.OptionCheck;

namespace NeuralStyle.Optimization;

/// <summary>
/// How the pixels are optimised (<see cref="StyleTransferOptions.Optimizer"/>), as <see cref="StyleTransferOptimizer"/>
/// takes them: the gradient method, its learning rates and their schedule, the pixel clamp and how often the optimisation
/// reports. A sealed record: vary it with <c>with</c>. The defaults are the seed's.
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>Gets the gradient method.</summary>
    /// <value>Default <see cref="OptimizerKind.Adam"/>.</value>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Adam;

    /// <summary>Gets Adam's initial learning rate (pixels are in normalised units).</summary>
    /// <value>Default 3.0.</value>
    public double LearningRate { get; init; } = 3.0;

    /// <summary>Gets Adam's learning rate for the final part of the run.</summary>
    /// <value>Default 0.1.</value>
    public double DecayedLearningRate { get; init; } = 0.1;

    /// <summary>Gets the fraction of the iterations after which <see cref="DecayedLearningRate"/> applies (and Adam restarts, as in the seed).</summary>
    /// <value>Default 0.9 (iteration 180 of 200); 1 disables the decay.</value>
    public double DecayStartFraction { get; init; } = 0.9;

    /// <summary>Gets L-BFGS's trial step along its quasi-Newton direction; the line search shortens it when the loss does not fall enough.</summary>
    /// <value>Default 1.0 (the quasi-Newton step); used when <see cref="Kind"/> is <see cref="OptimizerKind.Lbfgs"/>.</value>
    public double LbfgsLearningRate { get; init; } = 1.0;

    /// <summary>Gets the number of past updates L-BFGS keeps.</summary>
    /// <value>Default 10; from 1 to 10,000. Each pair is two image-sized vectors, and every iteration reads all of them.</value>
    public int LbfgsHistorySize { get; init; } = 10;

    /// <summary>Gets L-BFGS's termination tolerance: the run ends early, on its accepted point, when an accepted step changes the loss or every pixel by less.</summary>
    /// <value>Default 1e-9; from 0 to 1.</value>
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

    /// <summary>Gets how often progress is reported (and losses copied from the device).</summary>
    /// <value>Default every 10 iterations; the last, and iterations with a preview, are always reported.</value>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>
    /// Gets how often progress reports carry a preview bitmap: the image as the result would be at that iteration (with the mask
    /// composite and preserved colours applied). Iterations with a preview are reported even between <see cref="ProgressInterval"/>s.
    /// </summary>
    /// <value>Default 0 (never); otherwise every N iterations and at the last.</value>
    public int PreviewInterval { get; init; }

    /// <summary>Gets the learning rate in force at an iteration of a run.</summary>
    /// <param name="iteration">The zero-based iteration.</param>
    /// <param name="iterations">The run's iterations.</param>
    /// <returns>
    /// <see cref="LbfgsLearningRate"/> for L-BFGS; for Adam <see cref="LearningRate"/>, and <see cref="DecayedLearningRate"/> from
    /// iteration <c>round(iterations × DecayStartFraction)</c>.
    /// </returns>
    public double LearningRateAt(int iteration, int iterations)
    {
        if (Kind == OptimizerKind.Lbfgs)
        {
            return LbfgsLearningRate;
        }

        var decayAt = (int)Math.Round(iterations * DecayStartFraction);
        return decayAt < iterations && iteration >= decayAt ? DecayedLearningRate : LearningRate;
    }

    /// <summary>Gets the clamp in force: <see cref="ClampBound"/> for Adam, none for L-BFGS.</summary>
    /// <value>The bound, or <see langword="null"/>.</value>
    public double? EffectiveClampBound => Kind == OptimizerKind.Adam ? ClampBound : null;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message and the parameter name give its path.</exception>
    public void Validate()
    {
        const string at = nameof(StyleTransferOptions.Optimizer) + ".";
        Require(Enum.IsDefined(Kind), at + nameof(Kind), "is not a known optimiser");
        Rate(LearningRate, at + nameof(LearningRate));
        Rate(DecayedLearningRate, at + nameof(DecayedLearningRate));
        Rate(LbfgsLearningRate, at + nameof(LbfgsLearningRate));
        Require(DecayStartFraction is >= 0 and <= 1, at + nameof(DecayStartFraction), "must be between 0 and 1");
        Require(LbfgsHistorySize is > 0 and <= 10_000, at + nameof(LbfgsHistorySize), "must be between 1 and 10,000");
        Require(double.IsFinite(LbfgsTolerance) && LbfgsTolerance is >= 0 and <= 1, at + nameof(LbfgsTolerance), "must be between 0 and 1");
        Require(ClampBound is null || (double.IsFinite(ClampBound.Value) && ClampBound > 0), at + nameof(ClampBound), "must be a finite, positive number or null");
        Require(UnclampedFinalIterations >= 0, at + nameof(UnclampedFinalIterations), "must not be negative");
        Require(ProgressInterval > 0, at + nameof(ProgressInterval), "must be positive");
        Require(PreviewInterval >= 0, at + nameof(PreviewInterval), "must not be negative");
    }
}
