using System;

namespace NeuralStyle.Video;

/// <summary>The <c>ffmpeg</c> or <c>ffprobe</c> program, which video style transfer reads and writes videos with, was not found.</summary>
public sealed class FfmpegNotFoundException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="FfmpegNotFoundException"/> class.</summary>
    public FfmpegNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FfmpegNotFoundException"/> class with a message.</summary>
    /// <param name="message">Which program is missing and where it was looked for.</param>
    public FfmpegNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FfmpegNotFoundException"/> class with a message and a cause.</summary>
    /// <param name="message">Which program is missing and where it was looked for.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public FfmpegNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
