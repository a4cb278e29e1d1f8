using System;
using System.Net;

namespace NeuralStyle.Weights;

/// <summary>
/// Thrown when the SqueezeNet weights are not available locally and cannot be downloaded. The message says how to supply a local file instead.
/// </summary>
public sealed class WeightsDownloadException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="WeightsDownloadException"/> class.</summary>
    public WeightsDownloadException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WeightsDownloadException"/> class with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public WeightsDownloadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WeightsDownloadException"/> class with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public WeightsDownloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WeightsDownloadException"/> class with all details.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="failure">Why the weights could not be obtained.</param>
    /// <param name="uri">The download address, or <see langword="null"/> when no download was tried.</param>
    /// <param name="statusCode">The HTTP status the server answered with, if that was the problem.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    internal WeightsDownloadException(string message, WeightsDownloadFailure failure, Uri? uri, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        Uri = uri;
        StatusCode = statusCode;
    }

    /// <summary>Gets why the weights could not be obtained.</summary>
    /// <value>For example <see cref="WeightsDownloadFailure.HashMismatch"/>.</value>
    public WeightsDownloadFailure Failure { get; }

    /// <summary>Gets the address the download was tried from.</summary>
    /// <value><see langword="null"/> when no download was tried.</value>
    public Uri? Uri { get; }

    /// <summary>Gets the HTTP status code the server answered with.</summary>
    /// <value><see langword="null"/> unless <see cref="Failure"/> is <see cref="WeightsDownloadFailure.HttpStatus"/>.</value>
    public HttpStatusCode? StatusCode { get; }
}
