using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.HighResolution;
using static TorchSharp.torch;

namespace NeuralStyle.Cli;

/// <summary>
/// <c>neural-style memory</c>: prints the memory a run of a given size needs and the tiling a budget implies; with
/// <c>--measure</c> it also runs a few iterations on generated images and prints the peak it measured.
/// </summary>
internal static class MemoryCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var width = CliValues.Int("--width", "Width of the result in pixels.");
        var height = CliValues.Int("--height", "Height of the result in pixels.");
        width.Required = height.Required = true;
        var preset = CliValues.Name("--preset", "Hyper-parameters (layers and style size).", StyleTransferPresets.Names, "composition-vii");
        var styleSize = CliValues.Int("--style-size", "Shorter side of the style image.");
        var device = new Option<string>("--device") { Description = "cpu or cuda (which estimate the budget applies to).", DefaultValueFactory = _ => "cpu" };
        var maxMemory = new Option<string?>("--max-memory") { Description = "Memory budget, e.g. 4GB." };
        var coarseToFine = CliValues.Choice<CoarseToFineMode>("--coarse-to-fine", "auto, on or off.");
        var measure = new Option<bool>("--measure") { Description = "Also run a few iterations on generated images (CPU) and print the measured peak." };
        var iterations = CliValues.Int("--iterations", "Iterations to measure.", 3);
        var weights = new Option<FileInfo?>("--weights") { Description = "SqueezeNet 1.1 weight file (for --measure)." };
        var command = new Command("memory", "Estimates the peak memory of a run of the given size (and measures it with --measure).")
        {
            width, height, preset, styleSize, device, maxMemory, coarseToFine, measure, iterations, weights,
        };
        command.SetAction((parse, ct) => CliApp.Guarded(error, async () =>
        {
            var chosen = StyleTransferPresets.Get(parse.GetValue(preset)!);
            var options = chosen with
            {
                StyleSize = parse.GetValue(styleSize) ?? chosen.StyleSize,
                Runtime = chosen.Runtime with { Device = parse.GetValue(device)! },
                HighResolution = chosen.HighResolution with
                {
                    MaxMemoryBytes = parse.GetValue(maxMemory) is { } m ? StyleOptions.ParseBytes(m) : null,
                    CoarseToFine = parse.GetValue(coarseToFine) ?? CoarseToFineMode.Auto,
                },
                Iterations = parse.GetValue(iterations),
                Weights = chosen.Weights with { Path = parse.GetValue(weights)?.FullName },
            };
            int w = parse.GetValue(width)!.Value, h = parse.GetValue(height)!.Value;
            var estimate = StyleTransfer.EstimateMemory(w, h, options);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"estimate: cpu {estimate.CpuBytes / 1048576.0:F0} MB, cuda {estimate.CudaBytes / 1048576.0:F0} MB; largest piece {estimate.WorkingWidth}x{estimate.WorkingHeight}, {estimate.Tiles} tile(s) in the final stage")).ConfigureAwait(false);
            if (parse.GetValue(measure))
            {
                var measured = await MeasureAsync(w, h, options with { Runtime = options.Runtime with { Device = "cpu" }, ImageSize = null }, ct).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"measured: cpu {measured / 1048576.0:F0} MB peak over the process's baseline")).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Runs the options on generated images and returns the peak resident memory the run added.</summary>
    private static async Task<long> MeasureAsync(int width, int height, StyleTransferOptions options, CancellationToken ct)
    {
        var side = options.ResolveStyleSize(Math.Min(width, height)) ?? Math.Min(width, height);
        using var content = rand(1, 3, height, width);
        using var style = rand(1, 3, side, side);
        // Warm up: libtorch, the weights and the network are loaded before the baseline is read.
        using var tiny = rand(1, 3, 32, 32);
        using (await StyleTransfer.RunAsync(tiny, tiny, options with { Iterations = 1, StyleSize = 32, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.Off, MaxMemoryBytes = null, TileSize = null } }, cancellationToken: ct).ConfigureAwait(false))
        {
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        using (await StyleTransfer.RunAsync(content, style, options with { StyleSize = side }, cancellationToken: ct).ConfigureAwait(false))
        {
        }

        process.Refresh();
        return process.PeakWorkingSet64 - baseline;
    }
}
