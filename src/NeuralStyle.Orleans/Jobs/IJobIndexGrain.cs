using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Orleans;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>One shard of the jobs that still need attention (<see cref="JobIndexShards"/>): unfinished ones (to resume) and finished ones (to delete when they expire).</summary>
[Alias("NeuralStyle.Orleans.IJobIndexGrain")]
internal interface IJobIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Records a job; <paramref name="dueAt"/> is when it next needs a tick (<see langword="null"/>: at every sweep).</summary>
    [Alias("Track")]
    Task TrackAsync(string jobId, DateTimeOffset? dueAt);

    /// <summary>Forgets a deleted job.</summary>
    [Alias("Forget")]
    Task ForgetAsync(string jobId);

    /// <summary>Returns the jobs due at <paramref name="now"/>.</summary>
    [Alias("Due")]
    Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now);
}

/// <summary>The jobs one client holds, keyed by the client's owner key.</summary>
[Alias("NeuralStyle.Orleans.IClientJobsGrain")]
internal interface IClientJobsGrain : IGrainWithStringKey
{
    /// <summary>Adds a job unless the client already holds <paramref name="limit"/>; returns whether it was added.</summary>
    [Alias("Add")]
    Task<bool> AddAsync(string jobId, int limit);

    /// <summary>Removes a deleted job.</summary>
    [Alias("Remove")]
    Task RemoveAsync(string jobId);

    /// <summary>Returns the client's jobs, oldest first.</summary>
    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();
}
