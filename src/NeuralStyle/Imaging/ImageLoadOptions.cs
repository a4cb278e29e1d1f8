using NeuralStyle.Internal;

namespace NeuralStyle.Imaging;

/// <summary>Limits that apply while an image is decoded by <see cref="ImageFile"/>.</summary>
public sealed class ImageLoadOptions
{
    /// <summary>The default pixel limit: 64 Mi pixels (for example 8192 × 8192), 256 MiB as RGBA.</summary>
    public const int DefaultMaxPixels = 64 * 1024 * 1024;

    private readonly int _maxPixels = DefaultMaxPixels;

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
}
