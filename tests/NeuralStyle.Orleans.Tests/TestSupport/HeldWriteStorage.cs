using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Jobs;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>
/// Grain storage that holds back the write of a chosen job's cancellation until the test lets it go, so that a test can
/// make other things happen while a cancellation is half done. Everything else passes straight through.
/// </summary>
internal sealed class HeldWriteStorage(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, Hold> Holds = new(StringComparer.Ordinal);

    /// <summary>Holds the next write that records <paramref name="jobId"/> as cancelled; complete the hold's release to let it go.</summary>
    public static Hold HoldCancellationOf(string jobId) => Holds.GetOrAdd(jobId, _ => new Hold());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.State is JobProgress { Status: JobStatus.Cancelled }
            && Holds.TryRemove(grainId.Key.ToString()!, out var hold))
        {
            hold.Entered.TrySetResult();
            await hold.Release.Task.ConfigureAwait(false);
        }

        await inner.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => inner.ClearStateAsync(stateName, grainId, grainState);

    /// <summary>One held write: <see cref="Entered"/> completes when it is held, <see cref="Release"/> lets it go.</summary>
    internal sealed class Hold
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
