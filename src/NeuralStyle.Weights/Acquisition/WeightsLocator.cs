using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Finds a model's weights file (a <see cref="WeightsDescriptor"/>). In order: <see cref="WeightsOptions.Path"/>; the file named by the
/// <c>NEURALSTYLE_WEIGHTS</c> environment variable; a verified copy in the per-user cache folder; a download of
/// the descriptor's file into that folder, checked against its SHA-256 before it is kept.
/// </summary>
/// <remarks>
/// Downloads into one cache folder are serialised across threads and processes with a lock file
/// (<c>&lt;name&gt;.lock</c>), and a file only ever appears in the cache by an atomic rename after it has verified,
/// so concurrent callers never see a partial or corrupt file.
/// </remarks>
public static class WeightsLocator
{
    /// <summary>The environment variable that names a weights file to use instead of the cache.</summary>
    public const string WeightsEnvironmentVariable = "NEURALSTYLE_WEIGHTS";

    /// <summary>The environment variable that names the cache folder.</summary>
    public const string CacheEnvironmentVariable = "NEURALSTYLE_CACHE";

    /// <summary>Returns the path of a local weights file, downloading and verifying it first if need be.</summary>
    /// <param name="weights">Which weights: their cache file name, SHA-256 and download address.</param>
    /// <param name="options">Where to look and how to download; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Receives download progress (a few times a second at most); not called when no download happens.</param>
    /// <param name="cancellationToken">Cancels waiting for another download and the download itself.</param>
    /// <returns>The full path of the weights file.</returns>
    /// <exception cref="FileNotFoundException">
    /// <see cref="WeightsOptions.Path"/> or the <c>NEURALSTYLE_WEIGHTS</c> environment variable names a file that does not exist.
    /// </exception>
    /// <exception cref="WeightFormatException">
    /// <see cref="WeightsOptions.Path"/> or <c>NEURALSTYLE_WEIGHTS</c> names something that is not a regular file with content (a named pipe, a device).
    /// </exception>
    /// <exception cref="WeightsDownloadException">
    /// No verified local copy exists and downloading is disabled, fails, times out or yields a file with the wrong SHA-256.
    /// The message says how to supply the file locally.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was cached.</exception>
    /// <exception cref="InvalidOperationException">No cache folder is configured and no home folder is known.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is <see langword="null"/>.</exception>
    public static Task<string> ResolveAsync(
        WeightsDescriptor weights,
        WeightsOptions? options = null,
        IProgress<WeightsDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
        => ResolveAsync(Guard.NotNull(weights), options ?? new WeightsOptions(), progress, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>Returns the cache folder used when <see cref="WeightsOptions.CacheDirectory"/> is not set.</summary>
    /// <returns>
    /// <c>$NEURALSTYLE_CACHE</c> if set; otherwise <c>%LOCALAPPDATA%\NeuralStyle\Cache</c> on Windows and
    /// <c>$XDG_CACHE_HOME/neuralstyle</c> or <c>~/.cache/neuralstyle</c> elsewhere.
    /// </returns>
    /// <exception cref="InvalidOperationException">No home or application-data folder is known and <c>NEURALSTYLE_CACHE</c> is not set.</exception>
    public static string GetDefaultCacheDirectory() => GetDefaultCacheDirectory(Environment.GetEnvironmentVariable);

    /// <summary>Returns where the cached weights file lives (or would live) for the given weights and options.</summary>
    /// <param name="weights">Which weights.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <returns>The full path of the cached file; it may not exist.</returns>
    /// <exception cref="InvalidOperationException">No cache folder can be determined (see <see cref="GetDefaultCacheDirectory()"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is <see langword="null"/>.</exception>
    public static string GetCacheFilePath(WeightsDescriptor weights, WeightsOptions? options = null)
    {
        Guard.NotNull(weights);
        return Path.Combine(CacheDirectoryFor(options ?? new WeightsOptions(), Environment.GetEnvironmentVariable), weights.FileName);
    }

    /// <summary>The implementation of <see cref="ResolveAsync(WeightsDescriptor, WeightsOptions?, IProgress{WeightsDownloadProgress}?, CancellationToken)"/>, with the environment supplied.</summary>
    internal static async Task<string> ResolveAsync(
        WeightsDescriptor weights,
        WeightsOptions options,
        IProgress<WeightsDownloadProgress>? progress,
        Func<string, string?> environment,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var logger = options.Logger ?? NullLogger.Instance;

        if (options.Path is { } explicitPath)
        {
            var full = Path.GetFullPath(explicitPath);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"The weights file '{full}' given in WeightsOptions.Path does not exist.", full);
            }

            RegularFile.Check(full, "WeightsOptions.Path");
            logger.UsingExplicitFile(full);
            return full;
        }

        var fromEnvironment = environment(WeightsEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var full = Path.GetFullPath(fromEnvironment);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException(
                    $"The weights file '{full}' named by the {WeightsEnvironmentVariable} environment variable does not exist. Fix or unset the variable.",
                    full);
            }

            RegularFile.Check(full, WeightsEnvironmentVariable);
            logger.UsingEnvironmentFile(full, WeightsEnvironmentVariable);
            return full;
        }

        var cache = new WeightsCacheEntry(CacheDirectoryFor(options, environment), weights.FileName, weights.Sha256, logger);
        var problem = await cache.CheckAsync(cancellationToken).ConfigureAwait(false);
        if (problem is null)
        {
            logger.UsingCachedFile(cache.FilePath);
            return cache.FilePath;
        }

        var advice = Advice(weights, cache);
        if (!options.AllowDownload)
        {
            throw new WeightsDownloadException(
                $"The {weights.Name} weights are not available locally and downloading is disabled (WeightsOptions.AllowDownload is false). The cached file '{cache.FilePath}' is not usable: {problem}.{advice}",
                WeightsDownloadFailure.DownloadDisabled,
                uri: null);
        }

        try
        {
            Directory.CreateDirectory(cache.Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WeightsDownloadException(
                $"Cannot create the weights cache folder '{cache.Directory}': {Sentence(ex.Message)} Set {CacheEnvironmentVariable} or WeightsOptions.CacheDirectory to a writable folder.{advice}",
                WeightsDownloadFailure.CacheUnavailable,
                weights.DownloadUri,
                innerException: ex);
        }

        // Another download holds the lock for at most its own timeouts; ours bound the wait as well.
        var maxWait = options.DownloadTimeout == Timeout.InfiniteTimeSpan || options.StallTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : options.DownloadTimeout + options.StallTimeout;
        using (await CacheLock.AcquireAsync(cache.LockPath, maxWait, waited => logger.WaitingForLock(cache.LockPath, waited.TotalSeconds), weights.DownloadUri, advice, cancellationToken).ConfigureAwait(false))
        {
            // Someone else may have finished the download while we waited.
            problem = await cache.CheckAsync(cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                logger.UsingCachedFile(cache.FilePath);
                return cache.FilePath;
            }

            cache.DeleteLeftovers();
            if (File.Exists(cache.FilePath))
            {
                // A wrong or unreadable file; it is replaced by the download only if that verifies.
                cache.TryDelete(cache.FilePath);
            }

            await WeightsDownloader.DownloadAsync(weights, options, cache, advice, progress, logger, cancellationToken).ConfigureAwait(false);
            return cache.FilePath;
        }
    }

    /// <summary>Computes the default cache folder from the given environment.</summary>
    internal static string GetDefaultCacheDirectory(Func<string, string?> environment)
    {
        var configured = environment(CacheEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (OperatingSystem.IsWindows())
        {
            var localAppData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return string.IsNullOrEmpty(localAppData)
                ? throw NoCacheFolder()
                : Path.Combine(localAppData, "NeuralStyle", "Cache");
        }

        // XDG base directory specification: relative values are ignored.
        var xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "neuralstyle");
        }

        var home = environment("HOME");
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return string.IsNullOrWhiteSpace(home)
            ? throw NoCacheFolder()
            : Path.Combine(home, ".cache", "neuralstyle");
    }

    private static string CacheDirectoryFor(WeightsOptions options, Func<string, string?> environment)
        => options.CacheDirectory is { } configured ? Path.GetFullPath(configured) : GetDefaultCacheDirectory(environment);

    private static InvalidOperationException NoCacheFolder()
        => new($"No per-user cache folder is known (no home folder). Set the {CacheEnvironmentVariable} environment variable or WeightsOptions.CacheDirectory, or give the weights file with WeightsOptions.Path or {WeightsEnvironmentVariable}.");

    /// <summary>Ends <paramref name="text"/> (an inner exception's message, say) with a full stop if it has no closing punctuation.</summary>
    internal static string Sentence(string text)
    {
        text = text.TrimEnd();
        return text.Length == 0 || text[^1] is '.' or '!' or '?' ? text : text + ".";
    }

    /// <summary>Tells the user every way of supplying the file without a download, on a line of its own.</summary>
    private static string Advice(WeightsDescriptor weights, WeightsCacheEntry cache)
        => Environment.NewLine + $"To use a local copy of the weights instead, set WeightsOptions.Path to the file, set the {WeightsEnvironmentVariable} environment variable to its path, "
            + $"or save the file as '{cache.FileName}' in the cache folder '{cache.Directory}' "
            + $"(full path '{cache.FilePath}', SHA-256 {weights.Sha256}). It can be fetched on another machine from {weights.DownloadUri}.";
}
