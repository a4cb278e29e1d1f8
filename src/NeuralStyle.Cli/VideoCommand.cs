using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Video;

namespace NeuralStyle.Cli;

/// <summary>
/// <c>neural-style video IN STYLE... -o OUT</c>: stylises a video with temporal consistency. Takes every still option that
/// applies per frame (presets, sizes, weights, style blend and masks, colours, optimiser, device) and refuses the others by flag.
/// </summary>
internal static class VideoCommand
{
    /// <summary>Library option (ArgumentException.ParamName) → the flag that sets it, for error messages.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [nameof(VideoStyleTransferOptions.FrameIterations)] = "--frame-iterations",
        [nameof(VideoStyleTransferOptions.TemporalWeight)] = "--temporal-weight",
        [nameof(VideoStyleTransferOptions.FrameLearningRate)] = "--frame-lr",
        [nameof(VideoStyleTransferOptions.Quality)] = "--quality",
        [nameof(VideoStyleTransferOptions.WorkFolder)] = "--work-folder",
        [nameof(VideoStyleTransferOptions.FfmpegFolder)] = "--ffmpeg",
    };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var o = new StyleOptions();
        var frameIterations = new Option<int?>("--frame-iterations") { Description = $"Iterations of each frame after the first, which starts from the previous result (default {VideoStyleTransferOptions.DefaultFrameIterations}; --iterations is the first frame's)." };
        var temporalWeight = new Option<double?>("--temporal-weight") { Description = $"Weight of the temporal loss that holds each frame to the previous one (default {VideoStyleTransferOptions.DefaultTemporalWeight.ToString(CultureInfo.InvariantCulture)})." };
        var frameRate = new Option<double?>("--frame-lr") { Description = $"Adam's learning rate for frames after the first (default {VideoStyleTransferOptions.DefaultFrameLearningRate.ToString(CultureInfo.InvariantCulture)})." };
        var independent = new Option<bool>("--independent") { Description = "Stylise every frame on its own, as a still image (flickers; for comparison)." };
        var workFolder = new Option<DirectoryInfo?>("--work-folder") { Description = "Where finished frames are kept while the video is made (default OUTPUT.frames); a rerun resumes from them." };
        var keepFrames = new Option<bool>("--keep-frames") { Description = "Keep the work folder's frames after the output is written." };
        var ffmpeg = new Option<DirectoryInfo?>("--ffmpeg") { Description = "Folder that holds ffmpeg and ffprobe (default: found on the PATH)." };
        var quality = new Option<int?>("--quality") { Description = "Constant-quality factor of the output (x264 CRF, 0-50, default 18; lower is better)." };
        var command = new Command("video", "Stylises a video (MP4, MOV, WebM…) with temporal consistency: same frame rate, audio copied, resumable.");
        o.AddTo(command);
        o.Content.Description = "The video to stylise (MP4/H.264, MOV, WebM, MKV…) with a constant frame rate.";
        o.Output.Description = "The video to write (.mp4, .mov, .mkv or .webm). Default: VIDEO-STYLE.mp4 in the current folder.";
        foreach (var option in new Option[] { frameIterations, temporalWeight, frameRate, independent, workFolder, keepFrames, ffmpeg, quality })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                RefuseStillOnlyFlags(parse, o);
                var still = o.ToOptions(parse);
                var defaults = new VideoStyleTransferOptions();
                var options = defaults with
                {
                    Style = still,
                    TemporalConsistency = !parse.GetValue(independent),
                    FrameIterations = parse.GetValue(frameIterations) ?? defaults.FrameIterations,
                    TemporalWeight = parse.GetValue(temporalWeight) ?? defaults.TemporalWeight,
                    FrameLearningRate = parse.GetValue(frameRate) ?? defaults.FrameLearningRate,
                    WorkFolder = parse.GetValue(workFolder)?.FullName,
                    KeepWorkFolder = parse.GetValue(keepFrames),
                    FfmpegFolder = parse.GetValue(ffmpeg)?.FullName,
                    Quality = parse.GetValue(quality) ?? defaults.Quality,
                };
                return await RunAsync(parse, o, options, output, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await error.WriteLineAsync("neural-style: the finished frames are kept; run the same command again to resume.").ConfigureAwait(false);
                throw;
            }
            catch (ArgumentException ex) when (ex.ParamName is { } name && Flags.TryGetValue(name, out var flag))
            {
                await error.WriteLineAsync($"neural-style: error: {flag}: {ex.Message[(ex.Message.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split(" (Parameter", 2)[0]}").ConfigureAwait(false);
                return 2;
            }
            catch (Exception ex) when (ex is NeuralStyleException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"neural-style: error: {ex.Message.Split(" (Parameter", 2)[0]}").ConfigureAwait(false);
                return ex is ArgumentException ? 2 : 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, StyleOptions o, VideoStyleTransferOptions options, TextWriter output, CancellationToken ct)
    {
        var input = parse.GetRequiredValue(o.Content);
        var styleFiles = parse.GetRequiredValue(o.Style);
        var outputPath = parse.GetValue(o.Output)?.FullName
            ?? Path.GetFullPath($"{Path.GetFileNameWithoutExtension(input.Name)}-{string.Join("+", styleFiles.Select(f => Path.GetFileNameWithoutExtension(f.Name)))}.mp4");
        // The style images and masks are decoded at the size the frames are stylised at, under one image budget.
        var files = new RunImageFiles
        {
            Styles = [.. styleFiles.Select(f => f.FullName)],
            Mask = parse.GetValue(o.Mask)?.FullName,
            StyleMasks = parse.GetValue(o.StyleMask) is { Length: > 0 } masks ? [.. masks.Select(f => f.FullName)] : null,
        };
        var loadOptions = new ImageLoadOptions { MaxPixels = parse.GetValue(o.MaxPixels), Budget = new ImageMemoryBudget() };
        var quiet = parse.GetValue(o.Quiet);
        var progress = new FramePrinter(output, quiet);
        var result = await VideoStyleTransfer.RunAsync(input.FullName, files, outputPath, options, loadOptions, progress, ct).ConfigureAwait(false);
        if (!quiet)
        {
            await output.WriteLineAsync(FormattableString.Invariant(
                $"wrote {result.OutputPath} ({result.Width}x{result.Height}, {result.FrameCount} frames at {result.FrameRate:0.###} fps) in {result.Elapsed.TotalSeconds:F1} s; {result.ResumedFrames} frame(s) resumed")).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Still-image flags that video cannot honour, refused by name before any work.</summary>
    private static void RefuseStillOnlyFlags(ParseResult parse, StyleOptions o)
    {
        void Refuse(bool used, string flag, string why)
        {
            if (used)
            {
                throw new ArgumentException($"{flag} cannot be used with video: {why}.");
            }
        }

        Refuse(parse.GetValue(o.InitImage) is not null || parse.GetValue(o.Init) == Initialization.Image, "--init-image", "each frame after the first starts from the previous result; choose the first frame's start with --init");
        Refuse(parse.GetValue(o.SaveEvery) > 0, "--save-every", "the finished frames are kept in --work-folder instead");
        Refuse(parse.GetValue(o.Tiles) is { } tiles && !tiles.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase), "--tiles", "tiled stages do not take the temporal loss; give a smaller --size");
        Refuse(parse.GetValue(o.TileSize) is not null, "--tile-size", "tiled stages do not take the temporal loss; give a smaller --size");
        Refuse(parse.GetValue(o.MaxMemory) is not null, "--max-memory", "tiled stages do not take the temporal loss; give a smaller --size");
        Refuse(parse.GetValue(o.CoarseToFine) == CoarseToFineMode.On, "--coarse-to-fine on", "use auto (the first frame is made coarse-to-fine above 512 px; later frames refine the warped previous frame) or off");
    }

    /// <summary>One line per finished frame, with the overall progress and the time left.</summary>
    private sealed class FramePrinter(TextWriter output, bool quiet) : IProgress<VideoStyleTransferProgress>
    {
        public void Report(VideoStyleTransferProgress value)
        {
            if (quiet || !value.FrameCompleted)
            {
                return;
            }

            var left = value.Remaining is { } r ? $"; {TimeLeftText.Format(r)} left" : string.Empty;
            var what = value.Resumed ? "resumed" : FormattableString.Invariant($"{value.Iteration} iterations, {value.Losses}, {value.FrameElapsed.TotalSeconds:F1} s");
            output.WriteLine(FormattableString.Invariant($"frame {value.Frame}/{value.FrameCount} ({value.Fraction * 100:F0}%): {what}{left}"));
        }
    }
}
