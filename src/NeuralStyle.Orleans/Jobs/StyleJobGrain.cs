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
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Storage;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>
/// A job. Its inputs and progress are persisted (two states, so that checkpoints do not rewrite the uploads); the work runs
/// on the silo that activated the grain, within that silo's <see cref="JobSlots"/>. An activation that finds the job
/// unfinished (a new one after its silo died, woken by the sweep or by a watcher) goes on from the last checkpoint.
/// Reentrant so that watchers and cancellation are served while the work runs; state writes are serialised.
/// </summary>
[Reentrant]
[ActivationCountBasedPlacement]
internal sealed partial class StyleJobGrain : Grain, IStyleJobGrain
{
    private readonly IPersistentState<JobInputs> _inputs;
    private readonly IPersistentState<JobProgress> _progress;
    private readonly JobSlots _slots;
    private readonly NeuralStyleServiceOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<StyleJobGrain> _logger;
    private readonly string _activation = Guid.NewGuid().ToString("N");
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _cancel;
    private Task? _work;
    private bool _submitting;
    private Task _writes = Task.CompletedTask;
    private long _version;
    private long _previewVersion;
    private byte[]? _preview;
    private JobSnapshot? _published;

    public StyleJobGrain(
        [PersistentState("job-inputs", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<JobInputs> inputs,
        [PersistentState("job-progress", NeuralStyleSiloBuilderExtensions.StorageName)] IPersistentState<JobProgress> progress,
        JobSlots slots,
        IOptions<NeuralStyleServiceOptions> options,
        ILocalSiloDetails silo,
        ILogger<StyleJobGrain> logger)
    {
        _inputs = inputs;
        _progress = progress;
        _slots = slots;
        _options = options.Value;
        _silo = silo;
        _logger = logger;
    }

    private string JobId => this.GetPrimaryKeyString();

    private JobProgress Progress => _progress.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _preview = Progress.Result ?? Progress.Checkpoint;
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
            Progress.Status = JobStatus.Cancelled;
            await FinishAsync().ConfigureAwait(true);
            if (_cancel is not null)
            {
                await _cancel.CancelAsync().ConfigureAwait(true);
            }
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

    private IJobIndexGrain Index => GrainFactory.GetGrain<IJobIndexGrain>(0);

    private bool IsOwner(string owner)
        => _inputs.RecordExists
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(owner ?? string.Empty), Encoding.UTF8.GetBytes(_inputs.State.Owner));

    private void EnsureWorking()
    {
        if (_inputs.RecordExists && !Progress.IsFinished && _work is null)
        {
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(_slots.Stopping);
            _work = WorkAsync(_cancel.Token);
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            using (await _slots.AcquireAsync(_inputs.State.Owner, cancellationToken).ConfigureAwait(true))
            {
                await RunAsync(cancellationToken).ConfigureAwait(true);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the client (the state says so already) or by the silo stopping (another silo goes on).
        }
        catch (InconsistentStateException ex)
        {
            // Another activation wrote the job meanwhile: this one steps aside and the next tick starts afresh from storage.
            LogConflict(_logger, JobId, ex.Message);
            DeactivateOnIdle();
        }
        catch (Exception ex) when (ex is NeuralStyleException or ArgumentException or NotSupportedException)
        {
            Progress.Status = JobStatus.Failed;
            Progress.Error = ex.Message;
            await FinishAsync().ConfigureAwait(true);
        }
        catch (Exception ex)
        {
            // Storage or runtime trouble: this activation steps aside; the next tick resumes from the last checkpoint.
            LogInterrupted(_logger, JobId, ex);
            DeactivateOnIdle();
        }
        finally
        {
            _work = null;
            Publish();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var progress = Progress;
        if (progress.Starts > 0)
        {
            progress.ResumedFrom.Add(progress.CheckpointIteration);
        }

        progress.Starts++;
        progress.Status = JobStatus.Running;
        progress.Silo = _silo.Name;
        progress.Iteration = progress.CheckpointIteration;
        await WriteProgressAsync().ConfigureAwait(true);
        LogStarted(_logger, JobId, _silo.Name, progress.CheckpointIteration);
        Publish();

        var updates = Channel.CreateUnbounded<JobUpdate>(new UnboundedChannelOptions { SingleReader = true });
        var run = JobExecution.RunAsync(_inputs.State, progress.CheckpointIteration, progress.Checkpoint, _options, u => updates.Writer.TryWrite(u), cancellationToken);
        _ = run.ContinueWith(_ => updates.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await foreach (var update in updates.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(true))
        {
            if (progress.IsFinished)
            {
                break;
            }

            progress.Iteration = update.Iteration;
            progress.Loss = update.Loss;
            if (update.Preview is not null)
            {
                _preview = update.Preview;
                _previewVersion = _version + 1;
                if (update.Iteration - progress.CheckpointIteration >= _options.CheckpointInterval && update.Iteration < update.TotalIterations)
                {
                    progress.CheckpointIteration = update.Iteration;
                    progress.Checkpoint = update.Preview;
                    await WriteProgressAsync().ConfigureAwait(true);
                }
            }

            Publish();
        }

        var outcome = await run.ConfigureAwait(true);
        if (progress.IsFinished)
        {
            return;
        }

        progress.Status = JobStatus.Succeeded;
        progress.Result = outcome.Png;
        progress.Loss = outcome.Loss;
        progress.Iteration = progress.TotalIterations;
        _preview = outcome.Png;
        _previewVersion = _version + 1;
        await FinishAsync().ConfigureAwait(true);
        LogFinished(_logger, JobId, _silo.Name, outcome.Loss);
    }

    /// <summary>Writes a finished job (its checkpoint dropped, its expiry set) and tells the index when to delete it.</summary>
    private async Task FinishAsync()
    {
        Progress.Checkpoint = null;
        Progress.ExpiresAt = DateTimeOffset.UtcNow + _options.ResultRetention;
        await WriteProgressAsync().ConfigureAwait(true);
        if (Progress.Status == JobStatus.Succeeded)
        {
            _slots.RecordCompleted(JobId);
        }

        await Index.TrackAsync(JobId, Progress.ExpiresAt).ConfigureAwait(true);
        Publish();
    }

    private async Task DeleteAsync()
    {
        var owner = _inputs.State.Owner;
        await Serialised(async () =>
        {
            await _progress.ClearStateAsync().ConfigureAwait(true);
            await _inputs.ClearStateAsync().ConfigureAwait(true);
        }).ConfigureAwait(true);

        await GrainFactory.GetGrain<IClientJobsGrain>(owner).RemoveAsync(JobId).ConfigureAwait(true);
        await Index.ForgetAsync(JobId).ConfigureAwait(true);
        _preview = null;
        Publish();
        DeactivateOnIdle();
    }

    private Task WriteProgressAsync() => Serialised(() => _progress.WriteStateAsync());

    /// <summary>Runs a storage operation after the ones before it (the grain is reentrant; one write at a time keeps the ETag chain).</summary>
    private Task Serialised(Func<Task> operation)
    {
        var previous = _writes;
        var next = After(previous, operation);
        _writes = next;
        return next;

        static async Task After(Task previous, Func<Task> operation)
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            await operation().ConfigureAwait(true);
        }
    }

    /// <summary>Makes the state so far visible to readers and wakes watchers; called only after the state it shows is written (or is not durable by nature, like progress between checkpoints).</summary>
    private void Publish()
    {
        _version++;
        _published = BuildSnapshot();
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private JobSnapshot? Snapshot(bool withPreview)
        => _published is null || withPreview ? _published : _published with { Preview = null };

    private JobSnapshot? BuildSnapshot()
    {
        if (!_inputs.RecordExists)
        {
            return null;
        }

        var progress = Progress;
        return new JobSnapshot
        {
            JobId = JobId,
            Status = progress.Status,
            Iteration = progress.Iteration,
            TotalIterations = progress.TotalIterations,
            Loss = progress.Loss,
            Preview = _preview,
            Error = progress.Error,
            Silo = progress.Silo,
            ResumedFrom = [.. progress.ResumedFrom],
            SubmittedAt = _inputs.State.SubmittedAt,
            ExpiresAt = progress.ExpiresAt,
            Version = _version,
            Activation = _activation,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} submitted on {Silo}")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} started on {Silo} from iteration {Iteration}")]
    private static partial void LogStarted(ILogger logger, string jobId, string silo, int iteration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished on {Silo}, loss {Loss}")]
    private static partial void LogFinished(ILogger logger, string jobId, string silo, double loss);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was interrupted; it resumes at the next sweep")]
    private static partial void LogInterrupted(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: another activation wrote its state ({Reason}); this one steps aside")]
    private static partial void LogConflict(ILogger logger, string jobId, string reason);
}
