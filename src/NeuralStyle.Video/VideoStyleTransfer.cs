using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Video.IO;
using NeuralStyle.Video.Work;
using SkiaSharp;

namespace NeuralStyle.Video;

/// <summary>
/// Stylises a video with temporal consistency (Ruder, Dosovitskiy and Brox, "Artistic style transfer for videos", 2016):
/// frames stream from the input through <c>ffmpeg</c>, each frame after the first starts from the previous result warped
/// along the optical flow and is held near it by a <see cref="Losses.TemporalLoss"/>, and the output is encoded at the
/// input's frame rate with its audio copied.
/// </summary>
/// <example>
/// <code>
/// using var style = ImageFile.Load("painting.jpg");
/// var result = await VideoStyleTransfer.RunAsync("clip.mp4", style, "clip-styled.mp4",
///     new VideoStyleTransferOptions { Style = StyleTransferPresets.StarryNight with { ImageSize = 256 } });
/// </code>
/// </example>
public static partial class VideoStyleTransfer
{
    /// <summary>Stylises a video with one style image.</summary>
    /// <param name="input">The video to stylise (MP4, MOV, WebM, MKV …: anything ffmpeg reads) with a constant frame rate.</param>
    /// <param name="style">The style image. Not disposed.</param>
    /// <param name="output">The video to write: <c>.mp4</c>, <c>.mov</c>, <c>.mkv</c> (H.264) or <c>.webm</c> (VP9). Replaced atomically at the end.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults.</param>
    /// <param name="progress">Receives each frame's progress and a report when each frame completes, with an estimate of the time left.</param>
    /// <param name="cancellationToken">Stops the run between iterations; finished frames stay in the work folder for a later run to resume from.</param>
    /// <returns>What was done.</returns>
    /// <remarks>See the overload that takes several style images.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range or does not apply to video, or the output's extension is not supported.</exception>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="FfmpegNotFoundException"><c>ffmpeg</c> or <c>ffprobe</c> was not found.</exception>
    /// <exception cref="VideoFormatException">The input is not a video, has no frames, a variable frame rate, frames too small, or is damaged.</exception>
    /// <exception cref="IOException">The work folder belongs to another run, or the output could not be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<VideoStyleTransferResult> RunAsync(
        string input, SKBitmap style, string output, VideoStyleTransferOptions? options = null, IProgress<VideoStyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(style);
        return RunAsync(input, [style], output, options, progress, cancellationToken);
    }

    /// <summary>Stylises a video with one or more style images (blended or placed as in a still run).</summary>
    /// <param name="input">The video to stylise (MP4, MOV, WebM, MKV …: anything ffmpeg reads) with a constant frame rate.</param>
    /// <param name="styles">The style images. Not disposed.</param>
    /// <param name="output">The video to write: <c>.mp4</c>, <c>.mov</c>, <c>.mkv</c> (H.264) or <c>.webm</c> (VP9). Replaced atomically at the end.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults.</param>
    /// <param name="progress">Receives each frame's progress and a report when each frame completes, with an estimate of the time left.</param>
    /// <param name="cancellationToken">Stops the run between iterations; finished frames stay in the work folder for a later run to resume from.</param>
    /// <returns>What was done.</returns>
    /// <remarks>
    /// Finished frames are saved in the work folder (<see cref="VideoStyleTransferOptions.WorkFolder"/>) as they complete. A run
    /// with the same input, styles and options continues after the last finished frame and gives the same output as an
    /// uninterrupted run (on the CPU, with the same thread count). Only one frame is held in memory at a time.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range or does not apply to video, or the output's extension is not supported.</exception>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="FfmpegNotFoundException"><c>ffmpeg</c> or <c>ffprobe</c> was not found.</exception>
    /// <exception cref="VideoFormatException">The input is not a video, has no frames, a variable frame rate, frames too small, or is damaged.</exception>
    /// <exception cref="IOException">The work folder belongs to another run, or the output could not be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<VideoStyleTransferResult> RunAsync(
        string input,
        IReadOnlyList<SKBitmap> styles,
        string output,
        VideoStyleTransferOptions? options = null,
        IProgress<VideoStyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(styles);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new VideoStyleTransferOptions();
        options.Validate();
        options.Style.ValidateForStyles(styles.Count);
        if (styles.Any(s => s is null || s.Width <= 0 || s.Height <= 0))
        {
            throw new ArgumentException("A style image is null or empty.", nameof(styles));
        }

        input = Path.GetFullPath(input);
        output = Path.GetFullPath(output);
        CheckOutput(input, output);
        var tools = FfmpegTools.Locate(options.FfmpegFolder);
        var info = await VideoProbe.ProbeAsync(input, tools, options.MaxDuration, cancellationToken).ConfigureAwait(false);
        var (width, height) = WorkingSize(info, options.Style);
        var fingerprint = RunFingerprint.Compute(input, styles, options, width, height);
        var device = DeviceSelector.Resolve(options.Style.Runtime.Device);

        var stopwatch = Stopwatch.StartNew();
        var styliser = new FrameStyliser(styles, options, device);
        WorkFolder? work = null;
        long iterations = 0, resumed = 0, stylised = 0;
        var stylisingTime = TimeSpan.Zero;
        await using (var reader = FrameReader.Open(tools, input, width, height))
        {
            (VideoFrame Content, VideoFrame Result)? previous = null;
            var index = 0;
            for (var content = await reader.ReadAsync(cancellationToken).ConfigureAwait(false); content is not null; content = await reader.ReadAsync(cancellationToken).ConfigureAwait(false), index++)
            {
                // Created once the first frame has decoded, so that a video without frames leaves nothing behind.
                work ??= WorkFolder.Open(options.WorkFolder ?? WorkFolder.DefaultFor(output), fingerprint);
                var frame = index + 1;
                var frameIterations = styliser.IterationsOf(index);
                var result = TryResume(work, frame);
                if (result is not null)
                {
                    resumed++;
                    progress?.Report(new VideoStyleTransferProgress(frame, info.FrameCount, frameIterations, frameIterations, null, stopwatch.Elapsed, null) { FrameCompleted = true, Resumed = true });
                }
                else
                {
                    var frameClock = Stopwatch.StartNew();
                    var perIteration = progress is null ? null : new Progress(progress, frame, info.FrameCount, stopwatch);
                    using var still = await styliser.StyliseAsync(index, content, previous, perIteration, cancellationToken).ConfigureAwait(false);
                    work.Save(frame, still.Image);
                    result = work.Load(frame);
                    iterations += still.Iterations;
                    stylised++;
                    stylisingTime += frameClock.Elapsed;
                    var remaining = TimeSpan.FromTicks(stylisingTime.Ticks / stylised * Math.Max(0, info.FrameCount - frame));
                    progress?.Report(new VideoStyleTransferProgress(frame, info.FrameCount, still.Iterations, frameIterations, still.FinalLosses, stopwatch.Elapsed, remaining)
                    {
                        FrameCompleted = true,
                        FrameElapsed = frameClock.Elapsed,
                    });
                }

                previous = (content, result);
            }

            if (work is null)
            {
                throw new VideoFormatException($"'{input}' has no frames ffmpeg can decode: {reader.Errors()}");
            }

            if (info.FrameCountStated && reader.FramesRead < info.FrameCount - Math.Max(1, info.FrameCount / 50))
            {
                throw new VideoFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"'{input}' is truncated or damaged: {reader.FramesRead} of the {info.FrameCount} frames its header announces could be decoded. The finished frames are kept in {work.Path}."));
            }
        }

        var frames = (long)Directory.GetFiles(work.Path, "*.png").Length;
        await VideoEncoder.EncodeAsync(tools, work.Pattern, info.FrameRateText, input, info.HasAudio, output, options.Quality, cancellationToken).ConfigureAwait(false);
        if (!options.KeepWorkFolder)
        {
            work.Delete();
        }

        return new VideoStyleTransferResult(output, frames, resumed, width, height, info.FrameRate, iterations, stopwatch.Elapsed);
    }

    /// <summary>
    /// The size frames are stylised and written at: <see cref="StyleTransferOptions.ImageSize"/> as the shorter side (or the
    /// video's own size), each side rounded down to an even number of pixels as 4:2:0 video needs.
    /// </summary>
    /// <exception cref="VideoFormatException">The frames would be smaller than the network needs or larger than <see cref="RuntimeOptions.MaxImagePixels"/>.</exception>
    internal static (int Width, int Height) WorkingSize(VideoInfo info, StyleTransferOptions still)
    {
        var size = still.ImageSize is { } side ? ImageTensor.ResizedSize(info.Width, info.Height, side) : new SKSizeI(info.Width, info.Height);
        int width = size.Width & ~1, height = size.Height & ~1;
        var lastLayer = still.ResolveContentLayers().Select(l => l.Layer).Concat(still.ResolveStyleLayers().Select(l => l.Layer))
            .Concat(still.AdditionalLosses.SelectMany(l => l.Layers)).Max();
        var minimum = SqueezeNetFeatureExtractor.MinimumInputSizeFor(lastLayer);
        if (width < minimum || height < minimum)
        {
            throw new VideoFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The video's {info.Width}×{info.Height} frames would be {width}×{height} pixels (StyleTransferOptions.ImageSize); the network needs at least {minimum}×{minimum}."));
        }

        if ((double)width * height > still.Runtime.MaxImagePixels)
        {
            throw new VideoFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"The video's frames would be {width}×{height} pixels, more than StyleTransferOptions.Runtime.MaxImagePixels ({still.Runtime.MaxImagePixels:N0}); give a smaller StyleTransferOptions.ImageSize."));
        }

        return (width, height);
    }

    private static void CheckOutput(string input, string output)
    {
        if (!VideoEncoder.IsSupportedOutput(output))
        {
            throw new ArgumentException($"The output '{output}' must end in .mp4, .mov, .mkv or .webm.", nameof(output));
        }

        if (string.Equals(input, output, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output '{output}' is the input; choose another file.", nameof(output));
        }

        if (!Directory.Exists(Path.GetDirectoryName(output)))
        {
            throw new ArgumentException($"The output's folder '{Path.GetDirectoryName(output)}' does not exist.", nameof(output));
        }
    }

    /// <summary>A finished frame of an interrupted run, or null; a damaged one (cut off by a power loss) is removed and made again.</summary>
    private static VideoFrame? TryResume(WorkFolder work, int frame)
    {
        if (!work.Has(frame))
        {
            return null;
        }

        try
        {
            return work.Load(frame);
        }
        catch (ImageLoadException)
        {
            File.Delete(work.FramePath(frame));
            return null;
        }
    }

    /// <summary>Turns a frame's iteration reports into video reports.</summary>
    private sealed class Progress(IProgress<VideoStyleTransferProgress> inner, int frame, long frameCount, Stopwatch clock) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value)
        {
            value.Preview?.Dispose();
            inner.Report(new VideoStyleTransferProgress(frame, frameCount, value.Iteration, value.TotalIterations, value.Losses, clock.Elapsed, null));
        }
    }
}
