using System;

namespace NeuralStyle.Optimization;

/// <summary>Thrown when the bytes given as an <see cref="OptimizerCheckpoint"/> are not one: truncated, corrupt, from another format version or too large.</summary>
public sealed class CheckpointFormatException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="CheckpointFormatException"/> class.</summary>
    public CheckpointFormatException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CheckpointFormatException"/> class with a message.</summary>
    /// <param name="message">What is wrong with the checkpoint.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="CheckpointFormatException"/> class with a message and a cause.</summary>
    /// <param name="message">What is wrong with the checkpoint.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public CheckpointFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
