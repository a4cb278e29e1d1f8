using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using Microsoft.Extensions.Logging;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Says where <see cref="WeightsLocator"/> looks for the SqueezeNet 1.1 weights and how it downloads them when no local copy exists.
/// Every property is validated when it is set.
/// </summary>
public sealed class WeightsOptions
{
    /// <summary>The file name of torchvision's SqueezeNet 1.1 weights, used for the cached copy.</summary>
    public const string DefaultCacheFileName = "squeezenet1_1-b8a52dc0.pth";

    /// <summary>The SHA-256 digest (lower-case hex) of torchvision's SqueezeNet 1.1 weights file.</summary>
    public const string DefaultSha256 = "b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b";

    /// <summary>The default limit on the size of a download: 256 MiB (the official file is about 4.8 MB).</summary>
    public const long DefaultMaxDownloadBytes = 256L * 1024 * 1024;

    // Separators of every platform, and wildcards (the name is used in a search pattern for leftover temporary files).
    private static readonly char[] ForbiddenFileNameChars = ['/', '\\', '*', '?'];

    private string? _path;
    private string? _cacheDirectory;
    private Uri _downloadUri = DefaultDownloadUri;
    private string _sha256 = DefaultSha256;
    private string _cacheFileName = DefaultCacheFileName;
    private TimeSpan _downloadTimeout = TimeSpan.FromMinutes(10);
    private TimeSpan _stallTimeout = TimeSpan.FromSeconds(60);
    private long _maxDownloadBytes = DefaultMaxDownloadBytes;

    /// <summary>Gets the official download address of torchvision's SqueezeNet 1.1 weights.</summary>
    /// <value><c>https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth</c>.</value>
    public static Uri DefaultDownloadUri { get; } = new("https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth");

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

    /// <summary>Gets the address the weights are downloaded from.</summary>
    /// <value>Default <see cref="DefaultDownloadUri"/>. Must be an absolute <c>http</c> or <c>https</c> address.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is not an absolute <c>http</c> or <c>https</c> address.</exception>
    public Uri DownloadUri
    {
        get => _downloadUri;
        init
        {
            Guard.NotNull(value, nameof(DownloadUri));
            if (!value.IsAbsoluteUri || (value.Scheme != Uri.UriSchemeHttps && value.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"The download address '{value}' must be an absolute http or https address.", nameof(DownloadUri));
            }

            _downloadUri = value;
        }
    }

    /// <summary>Gets the SHA-256 digest that a downloaded or cached file must have.</summary>
    /// <value>Default <see cref="DefaultSha256"/>: 64 hexadecimal digits, stored in lower case.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is not 64 hexadecimal digits.</exception>
    public string Sha256
    {
        get => _sha256;
        init => _sha256 = HexText.NormalizeSha256(Guard.NotNull(value, nameof(Sha256)), nameof(Sha256));
    }

    /// <summary>Gets the name of the cached file inside <see cref="CacheDirectory"/>.</summary>
    /// <value>
    /// Default <see cref="DefaultCacheFileName"/>. It is never derived from the download address; it must be a plain file name
    /// without a folder part.
    /// </value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value is empty or is not a plain file name.</exception>
    public string CacheFileName
    {
        get => _cacheFileName;
        init
        {
            Guard.NotNullOrWhiteSpace(value, nameof(CacheFileName));
            if (value is "." or ".." || value.Trim() != value || System.IO.Path.GetFileName(value) != value
                || value.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || value.IndexOfAny(ForbiddenFileNameChars) >= 0)
            {
                throw new ArgumentException($"The cache file name '{value}' must be a plain file name without a folder part.", nameof(CacheFileName));
            }

            _cacheFileName = value;
        }
    }

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
