using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Weights;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Cli;

/// <summary>Builds and runs the command line; the writers are parameters so tests can read what it prints.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken = default)
    {
        var root = BuildCommand(output, error, interactive);
        var parse = root.Parse(args);
        if (CliErrors.ParseProblem(parse) is { } problem)
        {
            await error.WriteLineAsync($"neural-style: error: {problem}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // The tool handles Ctrl+C and SIGTERM itself (TerminationSignals) and prints every error itself (Guarded).
        var config = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    internal static RootCommand BuildCommand(TextWriter output, TextWriter error, bool interactive)
    {
        var o = new StyleOptions();
        var root = new RootCommand("Paints a content image in the style of another (Gatys et al.), with SqueezeNet 1.1 features on TorchSharp.");
        o.AddTo(root);
        root.SetAction((parse, ct) => Guarded(error, () => StyliseAsync(parse, o, output, interactive, ct)));
        root.Subcommands.Add(FeaturesCommand(output, error));
        root.Subcommands.Add(MemoryCommand.Create(output, error));
        root.Subcommands.Add(VideoCommand.Create(output, error));
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }

    /// <summary>Runs a command's work and turns every failure into one line on standard error and its exit code.</summary>
    internal static async Task<int> Guarded(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var (message, code) = CliErrors.Describe(ex);
            await error.WriteLineAsync($"neural-style: error: {message}").ConfigureAwait(false);
            return code;
        }
    }

    private static Command FeaturesCommand(TextWriter output, TextWriter error)
    {
        var image = new Argument<FileInfo>("image") { Description = "An image file (PNG, JPEG, WebP…)." };
        var size = CliValues.Int("--size", "Resize so the shorter side has this many pixels.");
        var weights = new Option<FileInfo?>("--weights") { Description = "SqueezeNet 1.1 weight file (.safetensors or .pth)." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var features = new Command("features", "Loads the weights and an image and prints per-layer feature statistics.") { image, size, weights, device };
        features.SetAction((parse, ct) => Guarded(error, () => PrintFeaturesAsync(
            parse.GetRequiredValue(image), parse.GetValue(size), parse.GetValue(weights), parse.GetValue(device)!, output, ct)));
        return features;
    }

    private static async Task<int> StyliseAsync(ParseResult parse, StyleOptions o, TextWriter output, bool interactive, CancellationToken ct)
    {
        var contentFile = parse.GetRequiredValue(o.Content);
        var styleFiles = parse.GetRequiredValue(o.Style);
        // The options' own values are checked before any image is read (the images are decoded at the size they give).
        var options = o.ToOptions(parse);
        options.Validate();
        var givenOutput = (parse.GetResult(o.Output)?.Tokens is [var token, ..] ? token.Value : null)
            ?? $"{Path.GetFileNameWithoutExtension(contentFile.Name)}-{string.Join("+", styleFiles.Select(f => Path.GetFileNameWithoutExtension(f.Name)))}.png";
        var outputPath = Path.GetFullPath(givenOutput);
        OutputPath.CheckWritable(givenOutput, outputPath);
        // Every image is decoded at the size the run resizes it to, under one image budget for the run.
        var files = new RunImageFiles
        {
            Styles = [.. styleFiles.Select(f => f.FullName)],
            InitialImage = parse.GetValue(o.InitImage)?.FullName,
            Mask = parse.GetValue(o.Mask)?.FullName,
            StyleMasks = parse.GetValue(o.StyleMask) is { Length: > 0 } masks ? [.. masks.Select(f => f.FullName)] : null,
        };
        using var images = RunImages.Load(contentFile.FullName, files, options, new ImageLoadOptions { MaxPixels = parse.GetValue(o.MaxPixels), Budget = new ImageMemoryBudget() });
        var (content, styles, contentSize) = (images.Content!, images.Styles, images.WorkingSize);
        options = images.ApplyTo(options);
        OutputPath.CheckSize(givenOutput, contentSize.Width, contentSize.Height);
        if (parse.GetValue(o.Tiles) is { } tiles)
        {
            options = StyleOptions.ApplyTiles(options, tiles, contentSize.Width, contentSize.Height);
        }

        var reporter = new ProgressPrinter(output, interactive && !parse.GetValue(o.Quiet), parse.GetValue(o.Quiet), outputPath, options.Iterations, options.Optimizer.Kind == OptimizerKind.Lbfgs);
        StyleTransferResult result;
        if (reporter.UsesLiveDisplay)
        {
            StyleTransferResult? done = null;
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .StartAsync(async ctx =>
                {
                    reporter.Attach(ctx.AddTask("stylising", maxValue: Math.Max(1, options.Iterations)));
                    done = await StyleTransfer.RunAsync(content, styles, options, reporter, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            result = done!;
        }
        else
        {
            result = await StyleTransfer.RunAsync(content, styles, options, reporter, ct).ConfigureAwait(false);
        }

        using (result)
        {
            ImageFile.Save(result.Image, outputPath);
            if (!parse.GetValue(o.Quiet))
            {
                await output.WriteLineAsync(FormattableString.Invariant(
                    $"wrote {outputPath} ({result.Image.Width}x{result.Image.Height}) in {result.Elapsed.TotalSeconds:F1} s on {result.Device}; {result.FinalLosses}")).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static async Task<int> PrintFeaturesAsync(FileInfo imageFile, int? size, FileInfo? weightsFile, string device, TextWriter output, CancellationToken ct)
    {
        var weights = await WeightsLocator.ResolveAsync(SqueezeNetWeights.Descriptor, new WeightsOptions { Path = weightsFile?.FullName }, null, ct).ConfigureAwait(false);
        using var bitmap = ImageFile.Load(imageFile.FullName);
        var options = new StyleTransferOptions { Runtime = new RuntimeOptions { Device = device } };
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var extractor = SqueezeNetFeatureExtractor.FromFile(weights, DeviceSelector.Resolve(device));
        var image = ImageTensor.FromBitmap(bitmap, size).to(extractor.Device);
        using var maps = extractor.Extract(image, SqueezeNetFeatureExtractor.LayerCount - 1);
        await output.WriteLineAsync($"{imageFile.Name}: {image.shape[3]}x{image.shape[2]} on {extractor.Device}, weights {weights}").ConfigureAwait(false);
        await output.WriteLineAsync("layer  name    shape                 mean        std         max").ConfigureAwait(false);
        for (var i = 0; i < maps.Count; i++)
        {
            var f = maps[i].to(float64);
            var shape = string.Join("x", maps[i].shape.Skip(1));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{i,5}  {extractor.LayerNames[i],-6}  {shape,-20}  {f.mean().item<double>(),10:F5}  {f.std().item<double>(),10:F5}  {f.max().item<double>(),10:F4}")).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// Reports progress as a live bar (terminal) or as plain lines (redirected output), and saves previews; the time left is
    /// an upper bound when the run may end before its iterations (L-BFGS, <c>mayEndEarly</c>).
    /// </summary>
    private sealed class ProgressPrinter(TextWriter output, bool live, bool quiet, string outputPath, int iterations, bool mayEndEarly) : IProgress<StyleTransferProgress>
    {
        private ProgressTask? _task;

        public bool UsesLiveDisplay => live;

        public void Attach(ProgressTask task) => _task = task;

        public void Report(StyleTransferProgress value)
        {
            if (value.Preview is { } preview)
            {
                using (preview)
                {
                    var digits = iterations.ToString(CultureInfo.InvariantCulture).Length;
                    var path = Path.Combine(
                        Path.GetDirectoryName(outputPath)!,
                        $"{Path.GetFileNameWithoutExtension(outputPath)}-{value.Iteration.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}{Path.GetExtension(outputPath)}");
                    ImageFile.Save(preview, path);
                }
            }

            var where = (value.StageCount > 1 ? FormattableString.Invariant($"stage {value.Stage}/{value.StageCount} ") : string.Empty)
                + (value.TileCount > 1 ? FormattableString.Invariant($"tile {value.Tile}/{value.TileCount} ") : string.Empty);
            var eta = TimeLeftText.Suffix(value.EstimatedRemaining, value.Phase == StyleTransferPhase.Optimizing, mayEndEarly);
            var line = value.Phase == StyleTransferPhase.Optimizing
                ? FormattableString.Invariant($"{where}iteration {value.Iteration}/{value.TotalIterations}  {value.Losses}  ({value.Elapsed.TotalSeconds:F1} s{eta})")
                : FormattableString.Invariant($"{where}{PhaseText(value.Phase)}  ({value.Elapsed.TotalSeconds:F1} s{eta})");
            if (_task is not null)
            {
                _task.MaxValue = value.TotalIterations;
                _task.Value = value.Iteration;
                _task.Description = Markup.Escape(value.Phase == StyleTransferPhase.Optimizing
                    ? FormattableString.Invariant($"{where}{value.Iteration}/{value.TotalIterations} loss {value.TotalLoss:G4}{eta}")
                    : FormattableString.Invariant($"{where}{PhaseText(value.Phase)}{eta}"));
            }
            else if (!quiet)
            {
                output.WriteLine(line);
            }
        }

        private static string PhaseText(StyleTransferPhase phase) => phase switch
        {
            StyleTransferPhase.LoadingWeights => "loading weights",
            StyleTransferPhase.PreparingInputs => "preparing images",
            StyleTransferPhase.ComputingTargets => "computing style targets",
            StyleTransferPhase.Finishing => "finishing",
            _ => "optimising",
        };
    }
}
