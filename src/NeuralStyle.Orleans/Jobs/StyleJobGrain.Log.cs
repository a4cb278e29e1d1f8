using System;
using Microsoft.Extensions.Logging;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>What a job logs.</summary>
internal sealed partial class StyleJobGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} submitted on {Silo}")]
    private static partial void LogSubmitted(ILogger logger, string jobId, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} started on {Silo} from iteration {Iteration}")]
    private static partial void LogStarted(ILogger logger, string jobId, string silo, int iteration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished on {Silo}, loss {Loss}")]
    private static partial void LogFinished(ILogger logger, string jobId, string silo, double loss);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: its checkpoint does not read back ({Reason}); it starts again from iteration 0")]
    private static partial void LogCheckpointDiscarded(ILogger logger, string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} was interrupted; it resumes at the next sweep")]
    private static partial void LogInterrupted(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: another activation wrote its state ({Reason}); this one steps aside")]
    private static partial void LogConflict(ILogger logger, string jobId, string reason);
}
