using System;
using System.Linq;
using BenchmarkDotNet.Running;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --filter '*'</c> runs the BenchmarkDotNet suites;
/// <c>dotnet run -c Release -- steps [options]</c> runs the plain step timer (also on a GPU machine), one JSON line per case;
/// <c>dotnet run -c Release -- parts [options]</c> splits a step's time into the network, the style term and the rest;
/// <c>dotnet run -c Release -- layers [options]</c> times each convolution and max-pool of the network alone;
/// <c>dotnet run -c Release -- gram [options]</c> times the style layers' Gram products, libtorch's against the vector kernel;
/// <c>dotnet run -c Release -- fire [options]</c> times each Fire module's forward and backward passes, libtorch's against the kernels;
/// <c>dotnet run -c Release -- memory [options]</c> follows resident memory over a long optimisation;
/// <c>dotnet run -c Release -- presets [options]</c> runs the seed's three presets end to end;
/// <c>dotnet run -c Release -- finish [options]</c> times one preset run from image files to a saved picture;
/// <c>dotnet run -c Release -- video [options]</c> measures video with and without temporal consistency.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "steps")
        {
            return StepTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "parts")
        {
            return PartTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "layers")
        {
            return LayerTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "gram")
        {
            return GramTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "fire")
        {
            return FireTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "stem")
        {
            return StemTimer.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "memory")
        {
            return MemoryProbe.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "chart")
        {
            return ChartWriter.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "highres")
        {
            return HighResolutionRunner.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "video")
        {
            return VideoRunner.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "finish")
        {
            return FinishRunner.Run(args.Skip(1).ToArray());
        }

        if (args.Length > 0 && args[0] == "presets")
        {
            return PresetRunner.Run(args.Skip(1).ToArray());
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
