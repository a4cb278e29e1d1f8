namespace NeuralStyle.HighResolution;

/// <summary>The predicted peak working memory of a style transfer, beyond what the process already uses.</summary>
/// <param name="CpuBytes">Peak resident memory the run adds on the CPU (calibrated on Linux x64 with libtorch 2.10).</param>
/// <param name="CudaBytes">Peak tensor memory on a CUDA device (from the same activation model; not calibrated on a GPU).</param>
/// <param name="WorkingHeight">The height of the largest piece optimised at once (a tile when tiling).</param>
/// <param name="WorkingWidth">The width of that piece.</param>
/// <param name="Tiles">The number of tiles of the final stage; 1 when not tiled.</param>
public sealed record MemoryEstimate(long CpuBytes, long CudaBytes, int WorkingHeight, int WorkingWidth, int Tiles)
{
    /// <summary>Gets the estimate for the device kind.</summary>
    /// <param name="cuda"><see langword="true"/> for a CUDA device.</param>
    /// <returns>The peak bytes.</returns>
    public long For(bool cuda) => cuda ? CudaBytes : CpuBytes;
}
