using System;
using Microsoft.Extensions.Logging;

namespace NeuralStyle.Weights;

/// <summary>Source-generated log messages of <see cref="WeightsLocator"/>.</summary>
internal static partial class WeightsLog
{
    /// <summary>The event id of <see cref="WaitingForLock"/>, for callers that watch for another process's download.</summary>
    public const int WaitingForLockEventId = 5;

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Using the weights file {Path} given in WeightsOptions.Path")]
    public static partial void UsingExplicitFile(this ILogger logger, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Using the weights file {Path} named by the {Variable} environment variable")]
    public static partial void UsingEnvironmentFile(this ILogger logger, string path, string variable);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Using the cached weights file {Path}")]
    public static partial void UsingCachedFile(this ILogger logger, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The cached weights file {Path} has SHA-256 {Actual}, expected {Expected}")]
    public static partial void CachedFileMismatch(this ILogger logger, string path, string actual, string expected);

    [LoggerMessage(EventId = WaitingForLockEventId, Level = LogLevel.Information, Message = "Waiting for another download of the weights to finish (lock file {LockPath}, {Seconds:F0} s so far)")]
    public static partial void WaitingForLock(this ILogger logger, string lockPath, double seconds);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Downloading the weights from {Uri} to {Path}")]
    public static partial void DownloadStarting(this ILogger logger, Uri uri, string path);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Downloaded and verified {Bytes} bytes of weights in {Seconds:F1} s: {Path}")]
    public static partial void DownloadCompleted(this ILogger logger, long bytes, double seconds, string path);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Downloading the weights from {Uri} failed ({Failure})")]
    public static partial void DownloadFailed(this ILogger logger, Uri uri, WeightsDownloadFailure failure, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Deleted the leftover temporary file {Path}")]
    public static partial void DeletedLeftover(this ILogger logger, string path);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Could not delete {Path}")]
    public static partial void DeleteFailed(this ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Could not record the verified digest in {Path}")]
    public static partial void MarkerNotWritten(this ILogger logger, string path, Exception exception);
}
