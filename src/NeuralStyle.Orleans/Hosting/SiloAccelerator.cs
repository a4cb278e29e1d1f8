namespace NeuralStyle.Orleans.Hosting;

/// <summary>What a silo computes on, as job placement sees it (<see cref="NeuralStyleServiceOptions.Accelerator"/>).</summary>
public enum SiloAccelerator
{
    /// <summary>From <see cref="NeuralStyleServiceOptions.Device"/>: a GPU silo when the device resolves to CUDA, a CPU silo otherwise.</summary>
    Auto,

    /// <summary>A GPU silo.</summary>
    Gpu,

    /// <summary>A CPU silo.</summary>
    Cpu,
}
