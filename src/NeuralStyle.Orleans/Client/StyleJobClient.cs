using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Jobs;
using Orleans;

namespace NeuralStyle.Orleans.Client;

/// <summary>
/// A client's view of the job service: submit, watch, fetch, cancel and list its own jobs. Every job is bound to the API key
/// it was submitted with; with another key it does not exist (<see cref="JobNotFoundException"/>). Thread-safe.
/// </summary>
public sealed class StyleJobClient
{
    private static readonly TimeSpan WatchWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private readonly IGrainFactory _grains;
    private readonly string _owner;

    /// <summary>Initializes a new instance of the <see cref="StyleJobClient"/> class.</summary>
    /// <param name="grains">The cluster client (or a silo's grain factory).</param>
    /// <param name="apiKey">The client's secret key; only its SHA-256 hash is sent and stored.</param>
    /// <exception cref="ArgumentException"><paramref name="apiKey"/> is empty or shorter than 16 characters.</exception>
    public StyleJobClient(IGrainFactory grains, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (apiKey.Length < 16)
        {
            throw new ArgumentException("The API key must have at least 16 characters.", nameof(apiKey));
        }

        _grains = grains;
        _owner = OwnerOf(apiKey);
    }

    /// <summary>Submits a job; the silo checks it against its limits before any work.</summary>
    /// <param name="request">The images and options.</param>
    /// <param name="cancellationToken">Cancels the call (not the job once it is accepted).</param>
    /// <returns>The job's id.</returns>
    /// <exception cref="JobRejectedException">The request is malformed or exceeds a limit; the message names which.</exception>
    public async Task<string> SubmitAsync(StyleJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var jobId = Guid.NewGuid().ToString("N");
        var refusal = await Job(jobId).SubmitAsync(_owner, request).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            throw new JobRejectedException(refusal.Message, refusal.Reason);
        }

        return jobId;
    }

    /// <summary>Gets a job's state.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="includePreview">Whether to include the latest preview (or the result) as a PNG.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="JobNotFoundException">No such job for this client.</exception>
    public async Task<JobSnapshot> GetStatusAsync(string jobId, bool includePreview = false, CancellationToken cancellationToken = default)
        => await Job(jobId).GetAsync(_owner, includePreview).WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw NotFound(jobId);

    /// <summary>Watches a job: yields its state whenever it changes (previews included as they come), until it finishes.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>Snapshots, the last one finished. A snapshot carries a preview when a new one came since the one before.</returns>
    /// <remarks>When the job's silo is lost the watch goes on with the activation that resumes the job.</remarks>
    /// <exception cref="JobNotFoundException">No such job for this client.</exception>
    public async IAsyncEnumerable<JobSnapshot> WatchAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var grain = Job(jobId);
        var activation = string.Empty;
        var version = -1L;
        while (true)
        {
            JobSnapshot? snapshot;
            try
            {
                snapshot = await grain.WaitForChangeAsync(_owner, activation, version, WatchWait).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                // The job's silo is going away; the next call reaches the activation on another silo.
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (snapshot is null)
            {
                throw NotFound(jobId);
            }

            if (snapshot.Activation != activation || snapshot.Version != version || snapshot.IsFinished)
            {
                activation = snapshot.Activation;
                version = snapshot.Version;
                yield return snapshot;
            }

            if (snapshot.IsFinished)
            {
                yield break;
            }
        }
    }

    /// <summary>Gets a succeeded job's result; it is then kept only for the service's fetched-result retention.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result as a PNG file's bytes.</returns>
    /// <exception cref="JobNotFoundException">No such job for this client.</exception>
    /// <exception cref="InvalidOperationException">The job has not succeeded (yet).</exception>
    public async Task<byte[]> GetResultAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var result = await Job(jobId).GetResultAsync(_owner).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (result is not null)
        {
            return result;
        }

        var status = await GetStatusAsync(jobId, false, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException($"Job {jobId} has no result: it is {status.Status.ToString().ToLowerInvariant()}.");
    }

    /// <summary>Cancels a job; a finished job stays as it is.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the job is marked cancelled.</returns>
    /// <exception cref="JobNotFoundException">No such job for this client.</exception>
    public async Task CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!await Job(jobId).CancelAsync(_owner).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(jobId);
        }
    }

    /// <summary>Lists this client's jobs (without previews), oldest first.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The jobs that exist (unfinished, or finished and not expired).</returns>
    public async Task<IReadOnlyList<JobSnapshot>> ListAsync(CancellationToken cancellationToken = default)
    {
        var ids = await _grains.GetGrain<IClientJobsGrain>(_owner).ListAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var snapshots = await Task.WhenAll(ids.Select(id => Job(id).GetAsync(_owner, false))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. snapshots.OfType<JobSnapshot>()];
    }

    internal static string OwnerOf(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    private static bool IsTransient(Exception ex)
        => ex is TimeoutException or global::Orleans.Runtime.SiloUnavailableException or global::Orleans.Runtime.OrleansMessageRejectionException
            || ex.GetType().Name.Contains("Unavailable", StringComparison.Ordinal);

    private static JobNotFoundException NotFound(string jobId) => new($"No job {jobId} exists for this client.");

    private IStyleJobGrain Job(string jobId)
    {
        if (string.IsNullOrEmpty(jobId) || jobId.Length != 32 || !jobId.All(char.IsAsciiHexDigitLower))
        {
            throw NotFound(jobId ?? string.Empty);
        }

        return _grains.GetGrain<IStyleJobGrain>(jobId);
    }
}
