using System;

namespace NeuralStyle.Cli;

/// <summary>Something the user gave on the command line cannot be used; the message names the flag or path (exit code 2).</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
