using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Placement;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Storage;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>
/// A job. Its inputs and progress are persisted (two states, so that checkpoints do not rewrite the uploads); the work runs
/// on the silo that activated the grain (chosen by accelerator and free capacity: <see cref="JobPlacementChoice"/>), within
/// that silo's <see cref="JobSlots"/>. An activation that finds the job
/// unfinished (a new one after its silo died, woken by the sweep or by a watcher) goes on from the last checkpoint.
/// Reentrant so that watchers and cancellation are served while the work runs; state writes are serialised.
/// </summary>
[Reentrant]
[JobPlacement]
internal sealed partial class StyleJobGrain : Grain, IStyleJobGrain
{
    private readonly IPersistentState<JobInputs> _inputs;
    private readonly IPersistentState<JobProgress> _progress;
    private readonly JobSlots _slots;
    private readonly NeuralStyleServiceOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<StyleJobGrain> _logger;
    private readonly TimeProvider _clock;
    private readonly string _activation = Guid.NewGuid().ToString("N");
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _cancel;
    private Task? _work;
    private bool _submitting;
    private Task _writes = Task.CompletedTask;
    private long _version;
    private long _previewVersion;
    private byte[]? _preview;
    private string _previewMediaType = ResultMediaType;
    private JobSnapshot? _published;

    public StyleJobGrain(
        [PersistentState("job-inputs", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<JobInputs> inputs,
        [PersistentState("job-progress", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<JobProgress> progress,
        JobSlots slots,
        IOptions<NeuralStyleServiceOptions> options,
        ILocalSiloDetails silo,
        ILogger<StyleJobGrain> logger,
        TimeProvider clock)
    {
        _inputs = inputs;
        _progress = progress;
        _slots = slots;
        _options = options.Value;
        _silo = silo;
        _logger = logger;
        _clock = clock;
    }

    /// <summary>The media type of a result (PNG), which is also the preview of a finished job.</summary>
    private const string ResultMediaType = "image/png";

    private string JobId => this.GetPrimaryKeyString();

    private JobProgress Progress => _progress.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        SetPreview(Progress.Result, ResultMediaType);
        Publish();
        EnsureWorking();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_cancel is not null)
        {
            await _cancel.CancelAsync().ConfigureAwait(true);
        }

        if (_work is { } work)
        {
            await work.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    public async Task<Refusal?> SubmitAsync(string owner, StyleJobRequest request)
    {
        if (_inputs.RecordExists || _submitting)
        {
            return new Refusal(JobRejection.Invalid, "A job with this id exists already.");
        }

        if (JobValidator.Check(request, _options) is { } refusal)
        {
            return refusal;
        }

        _submitting = true;
        try
        {
            return await StoreAsync(owner, request).ConfigureAwait(true);
        }
        finally
        {
            _submitting = false;
        }
    }

    private async Task<Refusal?> StoreAsync(string owner, StyleJobRequest request)
    {
        if (!await GrainFactory.GetGrain<IClientJobsGrain>(owner).AddAsync(JobId, _options.Limits.MaxJobsPerClient).ConfigureAwait(true))
        {
            return new Refusal(JobRejection.TooManyJobs, $"This client holds {_options.Limits.MaxJobsPerClient} jobs already; fetch or cancel some first.");
        }

        // Indexed before it is stored: a job stored but not indexed could be lost with its silo.
        await Index.TrackAsync(JobId, null).ConfigureAwait(true);
        _inputs.State = new JobInputs { Owner = owner, Request = request, SubmittedAt = DateTimeOffset.UtcNow };
        await _inputs.WriteStateAsync().ConfigureAwait(true);
        _progress.State = new JobProgress
        {
            Status = JobStatus.Queued,
            TotalIterations = JobValidator.ToStyleTransferOptions(request.Options, _options).Iterations,
        };
        await WriteProgressAsync().ConfigureAwait(true);
        LogSubmitted(_logger, JobId, _silo.Name);
        Publish();
        EnsureWorking();
        return null;
    }

    public Task<JobSnapshot?> GetAsync(string owner, bool withPreview)
        => Task.FromResult(IsOwner(owner) ? Snapshot(withPreview) : null);

    public async Task<JobSnapshot?> WaitForChangeAsync(string owner, string activation, long version, TimeSpan maxWait)
    {
        if (!IsOwner(owner))
        {
            return null;
        }

        var sameActivation = string.Equals(activation, _activation, StringComparison.Ordinal);
        if (sameActivation && version >= _version && _published?.IsFinished != true)
        {
            await _changed.Task.WaitAsync(maxWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        return Snapshot(withPreview: !sameActivation || _previewVersion > version);
    }

    public async Task<byte[]?> GetResultAsync(string owner)
    {
        if (!IsOwner(owner) || Progress.Status != JobStatus.Succeeded || Progress.Result is null)
        {
            return null;
        }

        var result = Progress.Result;
        var fetchedExpiry = DateTimeOffset.UtcNow + _options.FetchedResultRetention;
        if (Progress.ExpiresAt is null || fetchedExpiry < Progress.ExpiresAt)
        {
            Progress.ExpiresAt = fetchedExpiry;
            await WriteProgressAsync().ConfigureAwait(true);
            await Index.TrackAsync(JobId, fetchedExpiry).ConfigureAwait(true);
        }

        return result;
    }

    public async Task<bool> CancelAsync(string owner)
    {
        if (!IsOwner(owner))
        {
            return false;
        }

        if (!Progress.IsFinished)
        {
            // The work stops (or leaves the queue) before the state is written: while the write is under way, a freed slot
            // must not go to this job.
            Progress.Status = JobStatus.Cancelled;
            if (_cancel is not null)
            {
                await _cancel.CancelAsync().ConfigureAwait(true);
            }

            await FinishAsync().ConfigureAwait(true);
        }

        return true;
    }

    public async Task<bool> TickAsync()
    {
        if (_submitting)
        {
            return true;
        }

        if (!_inputs.RecordExists)
        {
            await Index.ForgetAsync(JobId).ConfigureAwait(true);
            DeactivateOnIdle();
            return false;
        }

        if (Progress.IsFinished && Progress.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            await DeleteAsync().ConfigureAwait(true);
            return false;
        }

        EnsureWorking();
        return true;
    }

    private IJobIndexGrain Index => JobIndexShards.For(GrainFactory, JobId);

    private bool IsOwner(string owner)
        => _inputs.RecordExists
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(owner ?? string.Empty), Encoding.UTF8.GetBytes(_inputs.State.Owner));
}
