using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Imaging;
using NeuralStyle.Video.IO;
using SkiaSharp;

namespace NeuralStyle.Video;

public static partial class VideoStyleTransfer
{
    /// <summary>
    /// Stylises a video with style images (and masks) given as files, each decoded at the size the frames are stylised at
    /// (<see cref="RunImages.LoadForContentSize"/>) rather than at the size its file declares.
    /// </summary>
    /// <param name="input">The video to stylise (MP4, MOV, WebM, MKV …: anything ffmpeg reads) with a constant frame rate.</param>
    /// <param name="images">The style images and, optionally, a mask and one mask per style; an initial image does not apply to video.</param>
    /// <param name="output">The video to write: <c>.mp4</c>, <c>.mov</c>, <c>.mkv</c> (H.264) or <c>.webm</c> (VP9). Replaced atomically at the end.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults. Masks given as files replace those in <see cref="VideoStyleTransferOptions.Style"/>.</param>
    /// <param name="loadOptions">Decoding limits for the images; <see langword="null"/> means the defaults with one <see cref="ImageMemoryBudget"/> for all of them.</param>
    /// <param name="progress">Receives each frame's progress and a report when each frame completes, with an estimate of the time left.</param>
    /// <param name="cancellationToken">Stops the run between iterations; finished frames stay in the work folder for a later run to resume from.</param>
    /// <returns>What was done.</returns>
    /// <remarks>As the overload that takes bitmaps; the images are decoded after the video is probed and disposed at the end.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range or does not apply to video, the mask files do not match the style files, or the output's extension is not supported.</exception>
    /// <exception cref="ImageLoadException">An image file is missing or not a usable image, or the images need more memory than <paramref name="loadOptions"/> allow.</exception>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="FfmpegNotFoundException"><c>ffmpeg</c> or <c>ffprobe</c> was not found.</exception>
    /// <exception cref="VideoFormatException">The input is not a video, has no frames, a variable frame rate, frames too small, or is damaged.</exception>
    /// <exception cref="IOException">The work folder belongs to another run, or the output could not be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<VideoStyleTransferResult> RunAsync(
        string input,
        RunImageFiles images,
        string output,
        VideoStyleTransferOptions? options = null,
        ImageLoadOptions? loadOptions = null,
        IProgress<VideoStyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new VideoStyleTransferOptions();
        options.Validate();
        var tools = FfmpegTools.Locate(options.FfmpegFolder);
        var info = await VideoProbe.ProbeAsync(Path.GetFullPath(input), tools, options.MaxDuration, cancellationToken).ConfigureAwait(false);
        var (width, height) = WorkingSize(info, options.Style);
        using var decoded = RunImages.LoadForContentSize(new SKSizeI(width, height), images, options.Style, loadOptions);
        options = options with { Style = decoded.ApplyTo(options.Style) };
        return await RunAsync(input, decoded.Styles, output, options, progress, cancellationToken).ConfigureAwait(false);
    }
}
