using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace NeuralStyle.Internal;

/// <summary>
/// Checks, at first use, that the application carries the native libraries the library needs — libtorch and a
/// libSkiaSharp of the SkiaSharp line the library references — and otherwise says which package to add for this
/// operating system and architecture. Without the libtorch check, TorchSharp quietly falls back on the machine's NuGet
/// cache, which works on a developer's machine and fails on a clean one or in deployment.
/// </summary>
internal static class NativeBackends
{
    /// <summary>The libtorch packages' version that TorchSharp 0.107 is built against (Directory.Packages.props).</summary>
    public const string LibTorchVersion = "2.10.0";

    private static readonly Lazy<string?> LibTorchProblem = new(FindLibTorchProblem);
    private static readonly Lazy<string?> SkiaProblem = new(FindSkiaProblem);

    /// <summary>
    /// Throws when the application has no libtorch runtime; otherwise applies the library's process-wide libtorch
    /// settings once (<see cref="Nnpack"/>).
    /// </summary>
    /// <exception cref="NeuralStyleException">No libtorch; the message names the package to add.</exception>
    public static void EnsureLibTorch()
    {
        if (LibTorchProblem.Value is { } problem)
        {
            throw new NeuralStyleException(problem);
        }

        Nnpack.EnsureOff();
    }

    /// <summary>Throws when libSkiaSharp is missing or of another SkiaSharp line than the library references.</summary>
    /// <exception cref="NeuralStyleException">The message names the package and version to add.</exception>
    public static void EnsureSkia()
    {
        if (SkiaProblem.Value is { } problem)
        {
            throw new NeuralStyleException(problem);
        }
    }

    /// <summary>The package that carries libtorch's CPU build for this platform, and the CUDA one where there is one.</summary>
    internal static (string Cpu, string? Cuda) LibTorchPackages(OSPlatform os, Architecture architecture)
    {
        if (os == OSPlatform.Linux && architecture == Architecture.X64)
        {
            return ("libtorch-cpu-linux-x64", "TorchSharp-cuda-linux");
        }

        if (os == OSPlatform.Windows && architecture == Architecture.X64)
        {
            return ("libtorch-cpu-win-x64", "TorchSharp-cuda-windows");
        }

        return os == OSPlatform.OSX && architecture == Architecture.Arm64 ? ("libtorch-cpu-osx-arm64", null) : ("TorchSharp-cpu", null);
    }

    /// <summary>The SkiaSharp native-assets package for this operating system.</summary>
    internal static string SkiaNativePackage(OSPlatform os)
        => os == OSPlatform.Windows ? "SkiaSharp.NativeAssets.Win32"
            : os == OSPlatform.OSX ? "SkiaSharp.NativeAssets.macOS"
            : "SkiaSharp.NativeAssets.Linux.NoDependencies";

    private static OSPlatform CurrentOs()
        => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? OSPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX
            : OSPlatform.Linux;

    private static string? FindLibTorchProblem()
    {
        var os = CurrentOs();
        var file = os == OSPlatform.Windows ? "torch_cpu.dll" : os == OSPlatform.OSX ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        var baseDirectory = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(baseDirectory, file))
            || File.Exists(Path.Combine(baseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file))
            || NativeLibrary.TryLoad(file, out _))
        {
            return null;
        }

        var (cpu, cuda) = LibTorchPackages(os, RuntimeInformation.ProcessArchitecture);
        var version = cpu.StartsWith("libtorch-", StringComparison.Ordinal) ? LibTorchVersion : TorchSharpVersion();
        var gpu = cuda is null ? string.Empty : $" For an NVIDIA GPU add {cuda} {TorchSharpVersion()} instead.";
        return
            $"This application has no libtorch runtime ({file} is neither in '{baseDirectory}' nor on the library path). "
            + $"Add the package for {RuntimeInformation.RuntimeIdentifier} to the application project: "
            + $"dotnet add package {cpu} --version {version}.{gpu} (See docs/troubleshooting.md.)";
    }

    private static string? FindSkiaProblem()
    {
        var managed = InformationalVersion(typeof(SKBitmap).Assembly);
        var package = SkiaNativePackage(CurrentOs());
        var advice = $"Add the package of the SkiaSharp line NeuralStyle references: dotnet add package {package} --version {managed}";
        try
        {
            return SkiaSharpVersion.CheckNativeLibraryCompatible(throwIfIncompatible: false)
                ? null
                : $"The native libSkiaSharp library ({SkiaSharpVersion.Native}) does not match SkiaSharp {managed}. {advice} (a newer native package cannot be used).";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            return $"The native libSkiaSharp library could not be loaded ({ex.GetType().Name}: {ex.Message.Split('\n', 2)[0].Trim()}). {advice}.";
        }
    }

    private static string TorchSharpVersion() => InformationalVersion(typeof(TorchSharp.torch).Assembly);

    private static string InformationalVersion(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "?";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
