using System;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>
/// What <see cref="RemainingTimeModel"/> assumes about a device before a run has measured it: how many of a stage's first
/// iterations are too slow to time its speed by, how much slower the next ones still are, how many iterations it times
/// before it shows an estimate, and how the cost of an iteration grows with its pixels. The numbers for the CPU are fitted
/// to recorded runs (docs/cli.md, "Time left").
/// </summary>
/// <param name="WarmUpIterations">
/// A stage's first iterations, which carry its set-up (first allocations, libtorch's one-off work) and are not timed as its
/// speed; what they cost is measured, and a later stage's are scaled from it.
/// </param>
/// <param name="SlowdownAfterWarmUp">How much slower than its steady speed the iteration after the warm-up still is (0.2 = 20 % slower).</param>
/// <param name="FadeIterations">The iteration of a stage by which that slowdown has faded to nothing, linearly.</param>
/// <param name="MinimumTimed">The iterations of the first stage timed after its warm-up before an estimate is shown.</param>
/// <param name="PixelExponent">
/// An iteration on <c>p</c> pixels costs <c>p^PixelExponent</c> times as much as one on a single pixel, until two sizes are
/// measured (then the model fits its own line).
/// </param>
internal sealed record TimingPrior(int WarmUpIterations, double SlowdownAfterWarmUp, int FadeIterations, int MinimumTimed, double PixelExponent)
{
    /// <summary>Assumes nothing: only the first iteration is not timed, an estimate from the second, cost in proportion to the pixels.</summary>
    public static TimingPrior None { get; } = new(1, 0, 0, 1, 1);

    /// <summary>Adam on the CPU (libtorch with oneDNN), fitted to recorded runs at 192 to 512 px.</summary>
    public static TimingPrior Cpu { get; } = new(1, 0.2, 20, 10, 1.15);

    /// <summary>
    /// L-BFGS on the CPU, fitted to recorded runs of the quick schedule at 256 and 512 px, whose first evaluations are slower
    /// than Adam's first iterations.
    /// </summary>
    public static TimingPrior CpuLbfgs { get; } = Cpu with { SlowdownAfterWarmUp = 0.5 };

    /// <summary>
    /// A GPU: not measured yet, so the CPU's warm-up, no slowdown after it and cost in proportion to the pixels until two
    /// sizes are measured (a GPU's fixed cost per iteration is then fitted).
    /// </summary>
    public static TimingPrior Cuda { get; } = Cpu with { SlowdownAfterWarmUp = 0, PixelExponent = 1 };

    /// <summary>The prior for a run on a GPU (<paramref name="cuda"/>) or on the CPU, with L-BFGS (<paramref name="lbfgs"/>) or Adam.</summary>
    public static TimingPrior For(bool cuda, bool lbfgs) => cuda ? Cuda : lbfgs ? CpuLbfgs : Cpu;

    /// <summary>The cost of iterations <paramref name="from"/> + 1 to <paramref name="to"/> of a stage, in steady iterations.</summary>
    public double SteadyIterations(int from, int to)
    {
        if (to <= from)
        {
            return 0;
        }

        // Iteration s is slower by SlowdownAfterWarmUp·(1 − s/L) for s < L: an arithmetic series over those iterations.
        var last = Math.Min(to, FadeIterations - 1);
        var slowdown = 0.0;
        if (last > from)
        {
            var count = last - from;
            var sumOfS = ((double)(from + 1 + last) * count) / 2;
            slowdown = SlowdownAfterWarmUp * (count - (sumOfS / FadeIterations));
        }

        return to - from + slowdown;
    }
}
