using System;

namespace NeuralStyle.Orleans.Client;

/// <summary>Why a job was refused.</summary>
public enum JobRejection
{
    /// <summary>The request is malformed: an unreadable image, an unknown preset, an option out of range.</summary>
    Invalid = 0,

    /// <summary>The request exceeds a limit: bytes, pixels, number of styles, iterations or size.</summary>
    TooLarge = 1,

    /// <summary>The client holds as many jobs as it may.</summary>
    TooManyJobs = 2,
}

/// <summary>The service refused a job before doing any work; the message names what was wrong.</summary>
public sealed class JobRejectedException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="JobRejectedException"/> class.</summary>
    public JobRejectedException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobRejectedException"/> class.</summary>
    /// <param name="message">What was wrong.</param>
    public JobRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobRejectedException"/> class.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JobRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobRejectedException"/> class.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="reason">The kind of refusal.</param>
    public JobRejectedException(string message, JobRejection reason)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Gets the kind of refusal.</summary>
    /// <value>Malformed, too large, or too many jobs.</value>
    public JobRejection Reason { get; }
}

/// <summary>No job with that id exists for this client: it never existed, expired, or belongs to another client.</summary>
public sealed class JobNotFoundException : NeuralStyleException
{
    /// <summary>Initializes a new instance of the <see cref="JobNotFoundException"/> class.</summary>
    public JobNotFoundException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public JobNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JobNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JobNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
