using System;
using System.Globalization;
using TorchSharp;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle;

/// <summary>Turns a device name (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) into a TorchSharp device.</summary>
public static class DeviceSelector
{
    /// <summary>Resolves a device name.</summary>
    /// <param name="name"><c>auto</c> (CUDA when available, else the CPU), <c>cpu</c>, <c>cuda</c> (or <c>gpu</c>) or <c>cuda:N</c>; case-insensitive.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">The name is not a device name, or <c>cuda:N</c> names a device that does not exist.</exception>
    /// <exception cref="NotSupportedException">CUDA was named but the loaded libtorch has no CUDA or no GPU is present.</exception>
    public static Device Resolve(string name)
    {
        Internal.NativeBackends.EnsureLibTorch();
        var (type, index) = Choose(name, torch.cuda.is_available, () => torch.cuda.device_count());
        return type == DeviceType.CPU ? CPU : index < 0 ? CUDA : torch.device(type, index);
    }

    // The CUDA probes are parameters so that the choice and its errors are testable on a machine without a GPU
    // (creating a CUDA device object needs CUDA).
    internal static (DeviceType Type, int Index) Choose(string spec, Func<bool> cudaAvailable, Func<int> cudaDeviceCount)
    {
        var (type, index) = Parse(spec);
        if (type == DeviceType.CPU)
        {
            return (DeviceType.CPU, -1);
        }

        if (type is null)
        {
            return cudaAvailable() ? (DeviceType.CUDA, -1) : (DeviceType.CPU, -1);
        }

        if (!cudaAvailable())
        {
            throw new NotSupportedException(
                $"Device '{spec}' was requested but CUDA is not available: add a CUDA build of libtorch to the host (for example the TorchSharp-cuda-linux package) or use device 'cpu' or 'auto'.");
        }

        var count = cudaDeviceCount();
        if (index >= count)
        {
            throw new ArgumentException($"Device '{spec}' does not exist: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}.", nameof(spec));
        }

        return (DeviceType.CUDA, index);
    }

    /// <summary>Parses a device name; a null type means automatic choice, index −1 the default device.</summary>
    internal static (DeviceType? Type, int Index) Parse(string spec)
    {
        Guard.NotNullOrWhiteSpace(spec);
        var s = spec.Trim().ToLowerInvariant();
        if (s == "auto")
        {
            return (null, -1);
        }

        if (s == "cpu")
        {
            return (DeviceType.CPU, -1);
        }

        if (s == "cuda" || s == "gpu")
        {
            return (DeviceType.CUDA, -1);
        }

        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return (DeviceType.CUDA, index);
        }

        throw new ArgumentException($"Unknown device '{spec}'. Use 'auto', 'cpu', 'cuda' or 'cuda:N'.", nameof(spec));
    }
}
