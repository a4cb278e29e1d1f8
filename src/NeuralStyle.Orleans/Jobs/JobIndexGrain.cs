using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Hosting;
using Orleans;
using Orleans.Runtime;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>The persisted list of jobs that need a tick: unfinished ones at every sweep, finished ones when they expire.</summary>
internal sealed class JobIndexGrain(
    [PersistentState("job-index", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<JobIndexState> state)
    : Grain, IJobIndexGrain
{
    public async Task TrackAsync(string jobId, DateTimeOffset? dueAt)
    {
        if (state.State.Jobs.TryGetValue(jobId, out var current) && current == dueAt && state.RecordExists)
        {
            return;
        }

        state.State.Jobs[jobId] = dueAt;
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public async Task ForgetAsync(string jobId)
    {
        if (state.State.Jobs.Remove(jobId))
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    public Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now)
        => Task.FromResult<IReadOnlyList<string>>([.. state.State.Jobs.Where(j => j.Value is null || j.Value <= now).Select(j => j.Key)]);
}

/// <summary>The persisted list of one client's jobs.</summary>
internal sealed class ClientJobsGrain(
    [PersistentState("client-jobs", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<ClientJobsState> state)
    : Grain, IClientJobsGrain
{
    public async Task<bool> AddAsync(string jobId, int limit)
    {
        if (state.State.Jobs.Contains(jobId))
        {
            return true;
        }

        if (state.State.Jobs.Count >= limit)
        {
            return false;
        }

        state.State.Jobs.Add(jobId);
        await state.WriteStateAsync().ConfigureAwait(true);
        return true;
    }

    public async Task RemoveAsync(string jobId)
    {
        if (state.State.Jobs.Remove(jobId))
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Jobs]);
}
