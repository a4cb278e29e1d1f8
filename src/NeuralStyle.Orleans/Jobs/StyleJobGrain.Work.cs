using System;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralStyle.Optimization;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Storage;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>The job's work: the run in its slot, checkpoints, the finish, deletion, and what readers see.</summary>
internal sealed partial class StyleJobGrain
{
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
        if (progress.IsFinished || cancellationToken.IsCancellationRequested)
        {
            // Cancelled while it waited for its slot: it never starts, and nothing overwrites the cancellation.
            return;
        }

        var checkpoint = ReadCheckpoint();
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
        var run = JobExecution.RunAsync(_inputs.State, checkpoint, _options, _clock, u => Post(updates.Writer, u), cancellationToken);
        _ = run.ContinueWith(_ => updates.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var update in updates.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(true))
            {
                if (progress.IsFinished)
                {
                    update.Preview?.Dispose();
                    break;
                }

                await TakeAsync(update).ConfigureAwait(true);
            }
        }
        finally
        {
            // Previews nobody took (the job was cancelled meanwhile) are freed now rather than by their finalisers.
            updates.Writer.TryComplete();
            while (updates.Reader.TryRead(out var left))
            {
                left.Preview?.Dispose();
            }
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
        SetPreview(outcome.Png, ResultMediaType);
        await FinishAsync().ConfigureAwait(true);
        LogFinished(_logger, JobId, _silo.Name, outcome.Loss);
    }

    private static void Post(ChannelWriter<JobUpdate> updates, JobUpdate update)
    {
        if (!updates.TryWrite(update))
        {
            update.Preview?.Dispose();
        }
    }

    /// <summary>Shows an update: progress at once; a preview encoded off the run's thread and outside the grain's turn (watchers are served meanwhile); a checkpoint written before it is published.</summary>
    private async Task TakeAsync(JobUpdate update)
    {
        var progress = Progress;
        progress.Iteration = update.Iteration;
        progress.Loss = update.Loss;
        if (update.Preview is { } bitmap)
        {
            var encoded = await Task.Run(() =>
            {
                using (bitmap)
                {
                    return PreviewEncoding.Encode(bitmap);
                }
            }).ConfigureAwait(true);
            SetPreview(encoded, PreviewEncoding.MediaType);
        }

        if (update.Checkpoint is not null)
        {
            progress.CheckpointIteration = update.Iteration;
            progress.Checkpoint = update.Checkpoint;
            await WriteProgressAsync().ConfigureAwait(true);
        }

        Publish();
    }

    /// <summary>Makes <paramref name="image"/> the preview the next published snapshot carries.</summary>
    private void SetPreview(byte[]? image, string mediaType)
    {
        _preview = image;
        _previewMediaType = mediaType;
        _previewVersion = _version + 1;
    }

    /// <summary>The stored checkpoint, or null to start from iteration 0 when there is none or it does not read back.</summary>
    private OptimizerCheckpoint? ReadCheckpoint()
    {
        if (Progress.Checkpoint is not { } bytes || Progress.CheckpointIteration == 0)
        {
            return null;
        }

        try
        {
            return JobExecution.ReadCheckpoint(bytes, _options);
        }
        catch (CheckpointFormatException ex)
        {
            LogCheckpointDiscarded(_logger, JobId, ex.Message);
            Progress.CheckpointIteration = 0;
            Progress.Checkpoint = null;
            return null;
        }
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
        => _published is null || withPreview ? _published : _published with { Preview = null, PreviewMediaType = null };

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
            PreviewMediaType = _preview is null ? null : _previewMediaType,
            Error = progress.Error,
            Silo = progress.Silo,
            ResumedFrom = [.. progress.ResumedFrom],
            SubmittedAt = _inputs.State.SubmittedAt,
            ExpiresAt = progress.ExpiresAt,
            Version = _version,
            Activation = _activation,
        };
    }
}
