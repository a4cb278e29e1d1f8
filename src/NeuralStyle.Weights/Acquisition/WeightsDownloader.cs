using System;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace NeuralStyle.Weights;

/// <summary>
/// Streams the weights into a temporary file in the cache folder while hashing them, and moves the file into place only
/// when the size and SHA-256 are right. Whatever goes wrong, the temporary file is deleted and nothing is cached.
/// </summary>
internal static class WeightsDownloader
{
    private const int BufferSize = 81920;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private static readonly Lazy<HttpClient> SharedClient = new(CreateSharedClient, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Downloads <see cref="WeightsDescriptor.DownloadUri"/> into <paramref name="cache"/>; call only while holding the cache lock.</summary>
    /// <exception cref="WeightsDownloadException">The download failed, timed out or did not verify.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task DownloadAsync(
        WeightsDescriptor weights,
        WeightsOptions options,
        WeightsCacheEntry cache,
        string advice,
        IProgress<WeightsDownloadProgress>? progress,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var uri = weights.DownloadUri;
        var client = options.HttpClient ?? SharedClient.Value;
        var temporaryPath = cache.NewTemporaryPath();
        var started = Stopwatch.GetTimestamp();
        long received = 0;
        var moved = false;

        using var overall = new CancellationTokenSource();
        using var stall = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token, stall.Token);
        overall.CancelAfter(options.DownloadTimeout);
        logger.DownloadStarting(uri, cache.FilePath);
        try
        {
            // Re-arming the timer after every read makes it fire only after StallTimeout without data.
            stall.CancelAfter(options.StallTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.UserAgent.ParseAdd("NeuralStyle/" + (typeof(WeightsDownloader).Assembly.GetName().Version?.ToString(3) ?? "0"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeightsDownloadException(
                    $"Downloading the {weights.Name} weights from {uri} failed: the server answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()}).{advice}",
                    WeightsDownloadFailure.HttpStatus,
                    uri,
                    response.StatusCode);
            }

            var total = response.Content.Headers.ContentLength;
            if (total > options.MaxDownloadBytes)
            {
                throw TooLarge(uri, total.Value, options.MaxDownloadBytes, advice);
            }

            long reported = 0;
            progress?.Report(new WeightsDownloadProgress(0, total));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
                    await using (file.ConfigureAwait(false))
                    {
                        var lastReport = Stopwatch.GetTimestamp();
                        int count;
                        while ((count = await body.ReadAsync(buffer.AsMemory(0, BufferSize), linked.Token).ConfigureAwait(false)) > 0)
                        {
                            stall.CancelAfter(options.StallTimeout);
                            received += count;
                            if (received > options.MaxDownloadBytes)
                            {
                                throw TooLarge(uri, received, options.MaxDownloadBytes, advice);
                            }

                            hash.AppendData(buffer, 0, count);
                            await file.WriteAsync(buffer.AsMemory(0, count), linked.Token).ConfigureAwait(false);
                            if (progress is not null && Stopwatch.GetElapsedTime(lastReport) >= ProgressInterval)
                            {
                                lastReport = Stopwatch.GetTimestamp();
                                reported = received;
                                progress.Report(new WeightsDownloadProgress(received, total));
                            }
                        }

                        file.Flush(flushToDisk: true);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            stall.CancelAfter(Timeout.InfiniteTimeSpan);
            if (received != reported)
            {
                progress?.Report(new WeightsDownloadProgress(received, total));
            }

            if (total is not null && received != total)
            {
                throw new WeightsDownloadException(
                    $"Downloading the {weights.Name} weights from {uri} failed: the connection ended after {received} of {total} bytes. Nothing was cached.{advice}",
                    WeightsDownloadFailure.Incomplete,
                    uri);
            }

            var actual = hash.GetHashAndReset();
            if (!cache.Matches(actual))
            {
                throw new WeightsDownloadException(
                    $"The file downloaded from {uri} ({received} bytes) has SHA-256 {HexText.ToLower(actual)}, but {cache.ExpectedSha256} was expected; it was discarded and nothing was cached.{advice}",
                    WeightsDownloadFailure.HashMismatch,
                    uri);
            }

            File.Move(temporaryPath, cache.FilePath, overwrite: true);
            moved = true;
            cache.WriteMarker();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            logger.DownloadCompleted(received, seconds, cache.FilePath);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"The download of the {weights.Name} weights was cancelled; nothing was cached.", ex, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw Logged(logger, TimedOut(weights, options, uri, received, stall.IsCancellationRequested, overall.IsCancellationRequested, advice, ex));
        }
        catch (HttpRequestException ex)
        {
            throw Logged(logger, new WeightsDownloadException(
                $"Downloading the {weights.Name} weights from {uri} failed: {WeightsLocator.Sentence(ex.Message)} Nothing was cached.{advice}",
                WeightsDownloadFailure.Network,
                uri,
                innerException: ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The network stream (a dropped or truncated connection) or the temporary file failed.
            throw Logged(logger, new WeightsDownloadException(
                $"Downloading the {weights.Name} weights from {uri} failed after {received} bytes: {WeightsLocator.Sentence(ex.Message)} Nothing was cached.{advice}",
                ex is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } ? WeightsDownloadFailure.Incomplete : WeightsDownloadFailure.Network,
                uri,
                innerException: ex));
        }
        catch (WeightsDownloadException ex) when (LogAndContinue(logger, ex))
        {
            // Not reached: the filter logs and lets the exception pass with its stack trace intact.
        }
        finally
        {
            if (!moved)
            {
                cache.TryDelete(temporaryPath);
            }
        }
    }

    private static bool LogAndContinue(ILogger logger, WeightsDownloadException ex)
    {
        Logged(logger, ex);
        return false;
    }

    private static WeightsDownloadException Logged(ILogger logger, WeightsDownloadException ex)
    {
        logger.DownloadFailed(ex.Uri!, ex.Failure, ex);
        return ex;
    }

    private static WeightsDownloadException TooLarge(Uri uri, long size, long limit, string advice)
        => new(
            $"The file at {uri} is larger than the limit of {limit} bytes (WeightsOptions.MaxDownloadBytes; got {size}). Nothing was cached.{advice}",
            WeightsDownloadFailure.TooLarge,
            uri);

    private static WeightsDownloadException TimedOut(
        WeightsDescriptor weights, WeightsOptions options, Uri uri, long received, bool stalled, bool overall, string advice, OperationCanceledException ex)
    {
        var what = stalled
            ? string.Create(CultureInfo.InvariantCulture, $"no data arrived for {options.StallTimeout.TotalSeconds:0.###} s (WeightsOptions.StallTimeout)")
            : overall
                ? string.Create(CultureInfo.InvariantCulture, $"it did not finish within {options.DownloadTimeout.TotalSeconds:0.###} s (WeightsOptions.DownloadTimeout)")
                : "the HTTP client's own timeout (HttpClient.Timeout) expired";
        return new WeightsDownloadException(
            $"Downloading the {weights.Name} weights from {uri} timed out after {received} bytes: {what}. Nothing was cached.{advice}",
            stalled ? WeightsDownloadFailure.Stalled : WeightsDownloadFailure.Timeout,
            uri,
            innerException: ex);
    }

    private static HttpClient CreateSharedClient()
        => new(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            // The download enforces its own overall and stall timeouts.
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
