using System;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Names one published weights file: what it is, the file name it is cached under, its SHA-256 and where it is
/// downloaded from. A model keeps its descriptor beside its own code (NeuralStyle's SqueezeNet 1.1 extractor has
/// <c>NeuralStyle.Features.SqueezeNetWeights.Descriptor</c>); use <c>with</c> to point at a mirror.
/// </summary>
public sealed record WeightsDescriptor
{
    // Separators of every platform, and wildcards (the name is used in a search pattern for leftover temporary files).
    private static readonly char[] ForbiddenFileNameChars = ['/', '\\', '*', '?'];

    private readonly string _name = string.Empty;
    private readonly string _fileName = string.Empty;
    private readonly string _sha256 = string.Empty;
    private readonly Uri _downloadUri = null!;

    /// <summary>Initializes a new instance of the <see cref="WeightsDescriptor"/> class.</summary>
    /// <param name="name">What the weights are, for messages (for example <c>SqueezeNet 1.1</c>).</param>
    /// <param name="fileName">The name of the cached file: a plain file name without a folder part.</param>
    /// <param name="sha256">The SHA-256 digest the file must have: 64 hexadecimal digits.</param>
    /// <param name="downloadUri">The absolute <c>http</c> or <c>https</c> address the file is downloaded from.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An argument is malformed; the message names it.</exception>
    public WeightsDescriptor(string name, string fileName, string sha256, Uri downloadUri)
    {
        Name = name;
        FileName = fileName;
        Sha256 = sha256;
        DownloadUri = downloadUri;
    }

    /// <summary>Gets what the weights are, as messages name them.</summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string Name
    {
        get => _name;
        init => _name = Guard.NotNullOrWhiteSpace(value, nameof(Name));
    }

    /// <summary>Gets the name of the cached file inside the cache folder.</summary>
    /// <value>A plain file name without a folder part; it is never derived from the download address.</value>
    /// <exception cref="ArgumentException">The value is empty or is not a plain file name.</exception>
    public string FileName
    {
        get => _fileName;
        init
        {
            Guard.NotNullOrWhiteSpace(value, nameof(FileName));
            if (value is "." or ".." || value.Trim() != value || System.IO.Path.GetFileName(value) != value
                || value.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || value.IndexOfAny(ForbiddenFileNameChars) >= 0)
            {
                throw new ArgumentException($"The weights file name '{value}' must be a plain file name without a folder part.", nameof(FileName));
            }

            _fileName = value;
        }
    }

    /// <summary>Gets the SHA-256 digest that a downloaded or cached file must have.</summary>
    /// <value>64 hexadecimal digits, stored in lower case.</value>
    /// <exception cref="ArgumentException">The value is not 64 hexadecimal digits.</exception>
    public string Sha256
    {
        get => _sha256;
        init => _sha256 = HexText.NormalizeSha256(Guard.NotNull(value, nameof(Sha256)), nameof(Sha256));
    }

    /// <summary>Gets the address the weights are downloaded from.</summary>
    /// <value>An absolute <c>http</c> or <c>https</c> address.</value>
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
}
