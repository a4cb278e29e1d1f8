namespace NeuralStyle.Weights;

/// <summary>How far a download of the weights has got.</summary>
/// <param name="BytesReceived">The number of bytes received so far.</param>
/// <param name="TotalBytes">The size announced by the server, or <see langword="null"/> when it did not send one.</param>
public readonly record struct WeightsDownloadProgress(long BytesReceived, long? TotalBytes)
{
    /// <summary>Gets the fraction of the file received.</summary>
    /// <value>Between 0 and 1, or <see langword="null"/> when the total size is unknown.</value>
    public double? Fraction => TotalBytes is > 0 and var total ? (double)BytesReceived / total : null;
}
