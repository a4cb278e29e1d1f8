using System;
using NeuralStyle.Orleans.Hosting;

namespace NeuralStyle.Orleans.Execution;

/// <summary>
/// Decides which of a run's previews a job encodes and publishes: the library offers one every
/// <see cref="NeuralStyleServiceOptions.PreviewInterval"/> iterations, and of those at most one per
/// <see cref="NeuralStyleServiceOptions.PreviewMinimumInterval"/> passes (the first always does). The preview of the last
/// iteration never does: the result replaces it at once. One instance per run, called on the reporting thread.
/// </summary>
internal sealed class PreviewThrottle(TimeProvider clock, TimeSpan minimumInterval, int lastIteration)
{
    private long? _lastAdmitted;

    /// <summary>Returns whether the preview of <paramref name="iteration"/> is published, and if so counts it as the latest.</summary>
    public bool Admit(int iteration)
    {
        if (iteration >= lastIteration)
        {
            return false;
        }

        var now = clock.GetTimestamp();
        if (_lastAdmitted is { } last && clock.GetElapsedTime(last, now) < minimumInterval)
        {
            return false;
        }

        _lastAdmitted = now;
        return true;
    }
}
