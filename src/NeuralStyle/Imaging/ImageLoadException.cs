using System;

namespace NeuralStyle.Imaging;

/// <summary>Thrown when an image file cannot be read: it is missing, empty, not an image, truncated, corrupt or too large.</summary>
public sealed class ImageLoadException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="ImageLoadException"/> class.</summary>
    public ImageLoadException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImageLoadException"/> class with a message.</summary>
    /// <param name="message">What is wrong with the image.</param>
    public ImageLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImageLoadException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong with the image.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ImageLoadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImageLoadException"/> class for a named file.</summary>
    /// <param name="message">What is wrong with the image; it should name the file.</param>
    /// <param name="filePath">The path or name of the image that could not be loaded.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ImageLoadException(string message, string? filePath, Exception? innerException = null)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the path or name of the image that could not be loaded.</summary>
    /// <value>The path given to <see cref="ImageFile.Load(string, ImageLoadOptions?)"/>, the source name given with a stream, or <see langword="null"/> when unknown.</value>
    public string? FilePath { get; }
}
