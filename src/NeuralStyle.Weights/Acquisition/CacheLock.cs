using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralStyle.Weights;

/// <summary>
/// An exclusive, inter-process lock on a file in the cache folder (<see cref="FileShare.None"/>, which .NET maps to
/// <c>flock</c> on Unix and to a sharing mode on Windows). The operating system releases it when the process dies.
/// The lock file itself is left in place: deleting it would let two processes lock different files of the same name.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(500);

    // Errors other than "held by someone else" are retried this often before giving up.
    private const int OtherErrorRetries = 5;

    /// <summary>How often a wait for another holder is reported again, so that a long wait is never silent.</summary>
    internal static readonly TimeSpan WaitReportInterval = TimeSpan.FromSeconds(10);

    private readonly FileStream _stream;

    private CacheLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, polling with backoff while another thread or process holds it.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="maxWait">How long to wait for another holder, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="onWaiting">
    /// Called when the lock turns out to be held by someone else, and again every <see cref="WaitReportInterval"/> of
    /// waiting, with the time waited so far.
    /// </param>
    /// <param name="uri">The download address, for exceptions.</param>
    /// <param name="advice">How to supply the file locally, appended to exception messages.</param>
    /// <param name="cancellationToken">Stops the waiting.</param>
    public static async Task<CacheLock> AcquireAsync(string path, TimeSpan maxWait, Action<TimeSpan> onWaiting, Uri uri, string advice, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = FirstDelay;
        var otherErrors = 0;
        var nextReport = TimeSpan.Zero;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
                var held = new CacheLock(stream);
                held.WriteOwner();
                return held;
            }
            catch (UnauthorizedAccessException ex)
            {
                // A read-only cache folder, or a lock file owned by someone else: waiting does not help.
                throw new WeightsDownloadException(
                    $"Cannot create the lock file '{path}': the weights cache folder is not writable ({WeightsLocator.Sentence(ex.Message)}) "
                    + $"Set {WeightsLocator.CacheEnvironmentVariable} or WeightsOptions.CacheDirectory to a writable folder.{advice}",
                    WeightsDownloadFailure.CacheUnavailable,
                    uri,
                    innerException: ex);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                if (!IsHeldElsewhere(ex) && ++otherErrors > OtherErrorRetries)
                {
                    throw new WeightsDownloadException(
                        $"Cannot open the lock file '{path}' in the weights cache folder: {WeightsLocator.Sentence(ex.Message)}{advice}",
                        WeightsDownloadFailure.CacheUnavailable,
                        uri,
                        innerException: ex);
                }

                if (maxWait != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(started) > maxWait)
                {
                    throw new WeightsDownloadException(
                        string.Create(CultureInfo.InvariantCulture, $"Gave up after {maxWait.TotalSeconds:0.#} s waiting for another download of the weights to release the lock file '{path}'.{advice}"),
                        WeightsDownloadFailure.Timeout,
                        uri,
                        innerException: ex);
                }

                var waited = Stopwatch.GetElapsedTime(started);
                if (waited >= nextReport)
                {
                    onWaiting(waited);
                    nextReport = waited + WaitReportInterval;
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();

    // EWOULDBLOCK from flock (11 on Linux, 35 on macOS and the BSDs); ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION on Windows.
    private static bool IsHeldElsewhere(IOException ex)
        => OperatingSystem.IsWindows()
            ? (ex.HResult & 0xFFFF) is 0x20 or 0x21
            : ex.HResult is 11 or 35;

    // Records the holder for whoever inspects a stuck lock; the content has no meaning to the code.
    private void WriteOwner()
    {
        try
        {
            var owner = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {DateTimeOffset.UtcNow:O}\n"));
            _stream.SetLength(0);
            _stream.Write(owner);
            _stream.Flush();
        }
        catch (IOException)
        {
            // Best effort only.
        }
    }
}
