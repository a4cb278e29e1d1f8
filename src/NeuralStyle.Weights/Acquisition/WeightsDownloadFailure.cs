namespace NeuralStyle.Weights;

/// <summary>Why the weights could not be obtained; see <see cref="WeightsDownloadException.Failure"/>.</summary>
public enum WeightsDownloadFailure
{
    /// <summary>The reason was not recorded.</summary>
    Unknown = 0,

    /// <summary>No local file was found and downloading is disabled (<see cref="WeightsOptions.AllowDownload"/>).</summary>
    DownloadDisabled,

    /// <summary>The server answered with an HTTP error status (see <see cref="WeightsDownloadException.StatusCode"/>).</summary>
    HttpStatus,

    /// <summary>The server could not be reached or the connection failed.</summary>
    Network,

    /// <summary>The connection ended before the announced number of bytes arrived.</summary>
    Incomplete,

    /// <summary>The downloaded file does not have the expected SHA-256 digest.</summary>
    HashMismatch,

    /// <summary>The file is larger than <see cref="WeightsOptions.MaxDownloadBytes"/>.</summary>
    TooLarge,

    /// <summary>The download took longer than <see cref="WeightsOptions.DownloadTimeout"/>, or waiting for another download did.</summary>
    Timeout,

    /// <summary>No bytes arrived for <see cref="WeightsOptions.StallTimeout"/>.</summary>
    Stalled,

    /// <summary>The cache folder could not be created or written.</summary>
    CacheUnavailable,
}
