using System;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>
/// A progress sink that also wants to know when an optimisation's first iteration has finished: that iteration carries
/// the run's warm-up (the first allocations of every buffer, one-off initialisation in libtorch), so an estimate of the
/// time left measures the rate after it.
/// </summary>
internal interface IFirstIterationTiming
{
    /// <summary>Called once, after the first iteration, when the host has the iteration's result (on the CPU, always).</summary>
    /// <param name="elapsed">The time since the optimisation started.</param>
    void FirstIterationDone(TimeSpan elapsed);
}
