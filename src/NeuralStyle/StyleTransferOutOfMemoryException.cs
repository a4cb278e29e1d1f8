using System;

namespace NeuralStyle;

/// <summary>
/// Thrown when libtorch (or .NET) cannot allocate the memory a style transfer needs, on the CPU or a GPU. The run is
/// abandoned cleanly: its tensors are freed and the process can run smaller transfers afterwards.
/// </summary>
/// <remarks>
/// Memory grows roughly in proportion to the number of pixels of the resized content and style images. Use a smaller
/// <see cref="StyleTransferOptions.ImageSize"/> or <see cref="StyleTransferOptions.StyleSize"/>, or lower
/// <see cref="RuntimeOptions.MaxImagePixels"/> so that sizes the machine cannot hold are refused before any work.
/// On Linux, an allocation that the kernel grants but cannot back (overcommit) ends the process instead; the pixel limit
/// is the only protection against that.
/// </remarks>
public sealed class StyleTransferOutOfMemoryException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="StyleTransferOutOfMemoryException"/> class.</summary>
    public StyleTransferOutOfMemoryException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StyleTransferOutOfMemoryException"/> class with a message.</summary>
    /// <param name="message">What could not be allocated and what to do about it.</param>
    public StyleTransferOutOfMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StyleTransferOutOfMemoryException"/> class with a message and a cause.</summary>
    /// <param name="message">What could not be allocated and what to do about it.</param>
    /// <param name="innerException">The allocation failure reported by libtorch or .NET.</param>
    public StyleTransferOutOfMemoryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the size of the allocation that failed, when libtorch reported it.</summary>
    /// <value>A number of bytes, or <see langword="null"/> when unknown.</value>
    public long? RequestedBytes { get; init; }

    /// <summary>Gets the device whose memory ran out.</summary>
    /// <value>For example <c>cpu</c> or <c>cuda:0</c>; <see langword="null"/> when unknown.</value>
    public string? Device { get; init; }
}
