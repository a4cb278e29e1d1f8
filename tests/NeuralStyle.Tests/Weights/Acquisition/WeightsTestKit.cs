using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NeuralStyle.Features;
using NeuralStyle.Weights;

namespace NeuralStyle.Tests.Weights;

/// <summary>Payloads, folders and helpers shared by the weights tests.</summary>
internal static class WeightsTestKit
{
    /// <summary>Gets an HTTP client that never goes through a proxy.</summary>
    public static HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public static byte[] Payload(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A descriptor of test weights: SqueezeNet's cache file name, with the given digest and address.</summary>
    public static WeightsDescriptor Descriptor(Uri downloadUri, string sha256)
        => new("test", SqueezeNetWeights.FileName, sha256, downloadUri);

    /// <summary>Options for a download of <paramref name="payload"/> from <paramref name="server"/> into <paramref name="cache"/>.</summary>
    public static Download Options(TestHttpServer server, byte[] payload, TempFolder cache)
        => new(
            Descriptor(server.Uri, Sha256(payload)),
            new WeightsOptions
            {
                CacheDirectory = cache.Path,
                HttpClient = Http,
                StallTimeout = TimeSpan.FromSeconds(10),
                DownloadTimeout = TimeSpan.FromSeconds(20),
            });

    /// <summary>Resolves with an empty environment, so the machine's <c>NEURALSTYLE_*</c> variables do not interfere.</summary>
    public static Task<string> ResolveAsync(Download download, IProgress<WeightsDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
        => WeightsLocator.ResolveAsync(download.Weights, download.Options, progress, _ => null, cancellationToken);

    /// <summary>Resolves SqueezeNet's descriptor with an empty environment.</summary>
    public static Task<string> ResolveAsync(WeightsOptions options, IProgress<WeightsDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
        => ResolveAsync(new Download(SqueezeNetWeights.Descriptor, options), progress, cancellationToken);

    /// <summary>Resolves with the given environment.</summary>
    public static Task<string> ResolveWith(Download download, Func<string, string?> environment, CancellationToken cancellationToken)
        => WeightsLocator.ResolveAsync(download.Weights, download.Options, null, environment, cancellationToken);

    /// <summary>Resolves SqueezeNet's descriptor with the given environment.</summary>
    public static Task<string> ResolveWith(WeightsOptions options, Func<string, string?> environment, CancellationToken cancellationToken)
        => ResolveWith(new Download(SqueezeNetWeights.Descriptor, options), environment, cancellationToken);

    /// <summary>Gets the names of the files in the cache folder other than the lock file.</summary>
    public static string[] CacheContents(TempFolder cache)
        => Directory.Exists(cache.Path)
            ? Directory.EnumerateFiles(cache.Path).Select(p => Path.GetFileName(p)).Where(n => !n.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()
            : [];
}

/// <summary>What to download (<paramref name="Weights"/>) and how (<paramref name="Options"/>).</summary>
internal sealed record Download(WeightsDescriptor Weights, WeightsOptions Options);

/// <summary>A fresh folder under the temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralstyle-weights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>A synchronous progress sink (unlike <see cref="Progress{T}"/>, which posts reports out of order).</summary>
internal sealed class ProgressLog : IProgress<WeightsDownloadProgress>
{
    public ConcurrentQueue<WeightsDownloadProgress> Reports { get; } = new();

    /// <summary>Gets a task that completes with the first report of more than zero bytes.</summary>
    public TaskCompletionSource FirstBytes { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Report(WeightsDownloadProgress value)
    {
        Reports.Enqueue(value);
        if (value.BytesReceived > 0)
        {
            FirstBytes.TrySetResult();
        }
    }
}

/// <summary>A logger that records event ids and signals when a caller starts waiting for another download's lock.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Entries { get; } = new();

    public TaskCompletionSource WaitingForLock { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
        if (eventId.Id == WeightsLog.WaitingForLockEventId)
        {
            WaitingForLock.TrySetResult();
        }
    }
}
