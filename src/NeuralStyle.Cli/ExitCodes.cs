namespace NeuralStyle.Cli;

/// <summary>The tool's exit codes, as docs/cli.md lists them.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The run failed: weights, download, numerics, memory, libtorch, writing the result.</summary>
    public const int Failure = 1;

    /// <summary>What was given cannot be used: a bad option or value, an unusable input image or output path.</summary>
    public const int Usage = 2;

    /// <summary>Cancelled by Ctrl+C (SIGINT): 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Cancelled by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
