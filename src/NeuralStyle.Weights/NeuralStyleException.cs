using System;

namespace NeuralStyle;

/// <summary>The base type of the exceptions that NeuralStyle throws for bad input files, downloads and numerics.</summary>
public class NeuralStyleException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="NeuralStyleException"/> class.</summary>
    public NeuralStyleException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NeuralStyleException"/> class with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public NeuralStyleException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NeuralStyleException"/> class with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public NeuralStyleException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
