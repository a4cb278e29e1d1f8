using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using Microsoft.Extensions.Logging;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Says where <see cref="WeightsLocator"/> looks for a model's weights (a <see cref="WeightsDescriptor"/>) and how it
/// downloads them when no local copy exists.
/// Every property is validated when it is set. A sealed record: vary it with <c>with</c>.
/// </summary>
public sealed record WeightsOptions
{
    /// <summary>The default limit on the size of a download: 256 MiB (the official file is about 4.8 MB).</summary>
    public const long DefaultMaxDownloadBytes = 256L * 1024 * 1024;

    private string? _path;
    private string? _cacheDirectory;
    private TimeSpan _downloadTimeout = TimeSpan.FromMinutes(10);
    private TimeSpan _stallTimeout = TimeSpan.FromSeconds(60);
    private long _maxDownloadBytes = DefaultMaxDownloadBytes;

    /// <summary>Gets an explicit weights file, which takes precedence over everything else.</summary>
    /// <value>
    /// Default <see langword="null"/>. The file must exist when the weights are resolved; its contents are not hash-checked,
    /// so any supported weight format (for example <c>.safetensors</c>) may be given.
    /// </value>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? Path
    {
        get => _path;
        init => _path = value is null ? null : Guard.NotNullOrWhiteSpace(value, nameof(Path));
    }

    /// <summary>Gets the folder that holds the cached, verified weights file.</summary>
    /// <value>
    /// Default <see langword="null"/>: <c>$NEURALSTYLE_CACHE</c>; else <c>$XDG_CACHE_HOME/neuralstyle</c> or
    /// <c>~/.cache/neuralstyle</c> on Linux and macOS, <c>%LOCALAPPDATA%\NeuralStyle\Cache</c> on Windows
    /// (see <see cref="WeightsLocator.GetDefaultCacheDirectory()"/>).
    /// </value>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? CacheDirectory
    {
        get => _cacheDirectory;
        init => _cacheDirectory = value is null ? null : Guard.NotNullOrWhiteSpace(value, nameof(CacheDirectory));
    }

    /// <summary>Gets a value indicating whether the weights may be downloaded when no local copy is found.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Gets the longest a whole download may take.</summary>
    /// <value>Default 10 minutes; must be positive or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan DownloadTimeout
    {
        get => _downloadTimeout;
        init => _downloadTimeout = PositiveOrInfinite(value, nameof(DownloadTimeout));
    }

    /// <summary>Gets the longest a download may go without receiving a byte (connecting and waiting for the headers included).</summary>
    /// <value>Default 60 seconds; must be positive or <see cref="Timeout.InfiniteTimeSpan"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan StallTimeout
    {
        get => _stallTimeout;
        init => _stallTimeout = PositiveOrInfinite(value, nameof(StallTimeout));
    }

    /// <summary>Gets the largest download accepted, as a guard against a wrong address filling the disk.</summary>
    /// <value>Default <see cref="DefaultMaxDownloadBytes"/>; must be positive.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxDownloadBytes
    {
        get => _maxDownloadBytes;
        init => _maxDownloadBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxDownloadBytes), value, "Value must be positive.");
    }

    /// <summary>Gets the HTTP client used to download, for proxies, custom certificates or tests.</summary>
    /// <value>
    /// Default <see langword="null"/>: a shared client without a timeout of its own. A client given here is not disposed;
    /// its <see cref="System.Net.Http.HttpClient.Timeout"/> should not be shorter than <see cref="DownloadTimeout"/>.
    /// </value>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Gets the logger that reports where the weights came from and how a download went.</summary>
    /// <value>Default <see langword="null"/>: no logging.</value>
    public ILogger? Logger { get; init; }

    private static TimeSpan PositiveOrInfinite(TimeSpan value, string name)
        => value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "Value must be positive or Timeout.InfiniteTimeSpan.");
}
