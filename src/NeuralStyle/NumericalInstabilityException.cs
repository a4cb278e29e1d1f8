namespace NeuralStyle;

/// <summary>
/// Thrown when the loss becomes NaN or infinite during optimisation, which absurd weights or learning rates cause.
/// </summary>
public sealed class NumericalInstabilityException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="NumericalInstabilityException"/> class.</summary>
    public NumericalInstabilityException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NumericalInstabilityException"/> class with a message.</summary>
    /// <param name="message">What diverged.</param>
    public NumericalInstabilityException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NumericalInstabilityException"/> class with a message and a cause.</summary>
    /// <param name="message">What diverged.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public NumericalInstabilityException(string message, System.Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the zero-based iteration at which the loss was found not finite.</summary>
    /// <value>The iteration, or −1 when unknown.</value>
    public int Iteration { get; init; } = -1;

    /// <summary>Gets the loss terms at that iteration.</summary>
    /// <value>The values, some of them NaN or infinite; <see langword="null"/> when unknown.</value>
    public LossValues? Losses { get; init; }
}
