using System;

namespace NeuralStyle.Video;

/// <summary>
/// The input is not a video NeuralStyle can stylise: not a video at all, truncated or damaged, without frames, with a
/// variable frame rate, too small, or longer than the limits allow. Thrown before any frame is stylised where it can be
/// known then; otherwise (damage found while decoding) before the output is written, which then does not exist.
/// </summary>
public sealed class VideoFormatException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="VideoFormatException"/> class.</summary>
    public VideoFormatException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="VideoFormatException"/> class with a message.</summary>
    /// <param name="message">What is wrong with the video.</param>
    public VideoFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="VideoFormatException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong with the video.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public VideoFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
