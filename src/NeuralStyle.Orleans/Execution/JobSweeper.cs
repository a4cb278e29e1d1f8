using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Jobs;
using Orleans;

namespace NeuralStyle.Orleans.Execution;

/// <summary>
/// Runs on every silo: each <see cref="NeuralStyleServiceOptions.SweepInterval"/> it ticks the jobs the index shards list as due.
/// A tick activates a job whose silo died on a live silo (where it resumes from its checkpoint) and deletes expired jobs.
/// </summary>
internal sealed partial class JobSweeper(IGrainFactory grains, IOptions<NeuralStyleServiceOptions> options, ILogger<JobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var now = DateTimeOffset.UtcNow;
                var due = await Task.WhenAll(JobIndexShards.All(grains).Select(shard => shard.DueAsync(now))).ConfigureAwait(false);
                await Task.WhenAll(due.SelectMany(jobs => jobs).Select(TickAsync)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The index's silo may be gone or the silo not yet joined; the next sweep tries again.
                LogSweepFailed(logger, ex.Message);
            }
        }
    }

    private async Task TickAsync(string jobId)
    {
        try
        {
            await grains.GetGrain<IStyleJobGrain>(jobId).TickAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTickFailed(logger, jobId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job sweep failed: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tick of job {JobId} failed: {Reason}")]
    private static partial void LogTickFailed(ILogger logger, string jobId, string reason);
}
