namespace NeuralStyle.Orleans.Hosting;

/// <summary>The bounds on a job's request, checked by the silo before any work; a request beyond them is refused with a message naming the limit.</summary>
public sealed class JobLimits
{
    /// <summary>Gets or sets the largest upload (each image file), in bytes.</summary>
    /// <value>Default 8 MiB.</value>
    public int MaxUploadBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Gets or sets the most pixels an uploaded image may have (width × height, read from its header before decoding).</summary>
    /// <value>Default 16 Mi pixels (4096 × 4096).</value>
    public int MaxImagePixels { get; set; } = 4096 * 4096;

    /// <summary>Gets or sets the most style images one job may blend.</summary>
    /// <value>Default 4.</value>
    public int MaxStyles { get; set; } = 4;

    /// <summary>Gets or sets the most iterations one job may ask for.</summary>
    /// <value>Default 1000.</value>
    public int MaxIterations { get; set; } = 1000;

    /// <summary>Gets or sets the largest shorter side of a result, in pixels.</summary>
    /// <value>Default 1024.</value>
    public int MaxImageSize { get; set; } = 1024;

    /// <summary>Gets or sets the most jobs one client may hold at once (unfinished, or finished and not yet expired).</summary>
    /// <value>Default 100.</value>
    public int MaxJobsPerClient { get; set; } = 100;

    internal void Validate()
    {
        NeuralStyleServiceOptions.Check(MaxUploadBytes is >= 1024 and <= 1024 * 1024 * 1024, $"Limits.{nameof(MaxUploadBytes)}", "must be between 1 KiB and 1 GiB");
        NeuralStyleServiceOptions.Check(MaxImagePixels >= 32 * 32, $"Limits.{nameof(MaxImagePixels)}", "must be at least 1024");
        NeuralStyleServiceOptions.Check(MaxStyles is >= 1 and <= 64, $"Limits.{nameof(MaxStyles)}", "must be between 1 and 64");
        NeuralStyleServiceOptions.Check(MaxIterations is >= 1 and <= 1_000_000, $"Limits.{nameof(MaxIterations)}", "must be between 1 and 1,000,000");
        NeuralStyleServiceOptions.Check(MaxImageSize is >= 32 and <= 16384, $"Limits.{nameof(MaxImageSize)}", "must be between 32 and 16384");
        NeuralStyleServiceOptions.Check(MaxJobsPerClient is >= 1 and <= 1_000_000, $"Limits.{nameof(MaxJobsPerClient)}", "must be between 1 and 1,000,000");
    }
}
