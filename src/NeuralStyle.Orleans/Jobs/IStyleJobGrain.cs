using System;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Client;
using Orleans;
using Orleans.Concurrency;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>One style-transfer job, keyed by its id. Every call names the caller's owner key; a call with another key sees no job.</summary>
[Alias("NeuralStyle.Orleans.IStyleJobGrain")]
internal interface IStyleJobGrain : IGrainWithStringKey
{
    /// <summary>Validates and stores the job and starts it; returns why it was refused, or <see langword="null"/>.</summary>
    [Alias("Submit")]
    Task<Refusal?> SubmitAsync(string owner, StyleJobRequest request);

    /// <summary>Returns the job's snapshot (with the latest preview), or <see langword="null"/> when there is no such job for this owner.</summary>
    [Alias("Get")]
    Task<JobSnapshot?> GetAsync(string owner, bool withPreview);

    /// <summary>Returns the next snapshot after <paramref name="version"/> of <paramref name="activation"/>, waiting at most <paramref name="maxWait"/>.</summary>
    [Alias("WaitForChange")]
    [AlwaysInterleave]
    Task<JobSnapshot?> WaitForChangeAsync(string owner, string activation, long version, TimeSpan maxWait);

    /// <summary>Returns the result PNG of a succeeded job (and shortens its retention), or <see langword="null"/>.</summary>
    [Alias("GetResult")]
    Task<byte[]?> GetResultAsync(string owner);

    /// <summary>Cancels an unfinished job; returns <see langword="false"/> when there is no such job for this owner.</summary>
    [Alias("Cancel")]
    Task<bool> CancelAsync(string owner);

    /// <summary>Wakes the job: resumes unfinished work, deletes an expired job; returns <see langword="false"/> when the job no longer exists.</summary>
    [Alias("Tick")]
    Task<bool> TickAsync();
}

/// <summary>Why a job was refused.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.Refusal")]
internal sealed record Refusal([property: Id(0)] JobRejection Reason, [property: Id(1)] string Message);
