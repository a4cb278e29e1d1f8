using NeuralStyle.Internal;

namespace NeuralStyle.Imaging;

/// <summary>Limits that apply while an image is decoded by <see cref="ImageFile"/>.</summary>
public sealed class ImageLoadOptions
{
    /// <summary>The default pixel limit: 64 Mi pixels (for example 8192 × 8192), 256 MiB as RGBA.</summary>
    public const int DefaultMaxPixels = 64 * 1024 * 1024;

    /// <summary>The default of <see cref="MaxDecodeBytes"/>: 512 MiB.</summary>
    public const long DefaultMaxDecodeBytes = 512L * 1024 * 1024;

    private readonly int _maxPixels = DefaultMaxPixels;
    private readonly long _maxDecodeBytes = DefaultMaxDecodeBytes;

    /// <summary>Gets the options used when none are given.</summary>
    /// <value>An instance with every property at its default.</value>
    public static ImageLoadOptions Default { get; } = new();

    /// <summary>Gets the largest number of pixels (width × height) an image may declare.</summary>
    /// <value>A positive number; <see cref="DefaultMaxPixels"/> unless set. The check uses the codec header, before any pixel memory is allocated.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value set is zero or negative.</exception>
    public int MaxPixels
    {
        get => _maxPixels;
        init => _maxPixels = Guard.Positive(value);
    }

    /// <summary>
    /// Gets the most memory that decoding one image may need, estimated from its header before anything is allocated:
    /// the bitmap returned, any whole-image buffer the decoder keeps (a progressive JPEG's coefficients, an interlaced
    /// PNG, a format decoded only whole such as GIF), and the encoded bytes of a stream that cannot seek.
    /// </summary>
    /// <value>A positive number of bytes; <see cref="DefaultMaxDecodeBytes"/> unless set. See docs/security.md for measured peaks.</value>
    /// <exception cref="System.ArgumentOutOfRangeException">The value set is zero or negative.</exception>
    public long MaxDecodeBytes
    {
        get => _maxDecodeBytes;
        init => _maxDecodeBytes = Guard.Positive(value);
    }

    /// <summary>Gets the budget shared by all the loads of one run, or <see langword="null"/> for none.</summary>
    /// <value>Default <see langword="null"/>: each image is bounded by <see cref="MaxDecodeBytes"/> alone.</value>
    public ImageMemoryBudget? Budget { get; init; }
}
