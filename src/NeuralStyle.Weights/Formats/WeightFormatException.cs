using System;

namespace NeuralStyle.Weights;

/// <summary>Thrown when a weight file is malformed, uses a construct that is not allowed, or lacks a tensor the network needs.</summary>
public sealed class WeightFormatException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="WeightFormatException"/> class.</summary>
    public WeightFormatException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WeightFormatException"/> class with a message.</summary>
    /// <param name="message">What is wrong with the file.</param>
    public WeightFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WeightFormatException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong with the file.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public WeightFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
