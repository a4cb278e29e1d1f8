using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FFMpegCore;

namespace NeuralStyle.Video.IO;

/// <summary>Reads a video's header with <c>ffprobe</c> and refuses what cannot be stylised.</summary>
internal static class VideoProbe
{
    /// <summary>Variable frame rate: the average rate differs from the stream's base rate by more than this fraction.</summary>
    private const double FrameRateTolerance = 0.01;

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="VideoFormatException">The file is not a video, or one that cannot be stylised.</exception>
    public static async Task<VideoInfo> ProbeAsync(string path, FfmpegTools tools, TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The video '{path}' does not exist.", path);
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new VideoFormatException($"'{path}' is empty (0 bytes), not a video.");
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = await FFProbe.AnalyseAsync(path, tools.Options, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not FfmpegNotFoundException)
        {
            throw new VideoFormatException($"'{path}' is not a video ffprobe can read (damaged, truncated or not a video file): {FirstLine(ex.Message)}", ex);
        }

        var video = analysis.PrimaryVideoStream
            ?? throw new VideoFormatException($"'{path}' has no video stream{(analysis.PrimaryAudioStream is null ? string.Empty : " (only audio)")}.");
        var raw = analysis.Raw.Streams.FirstOrDefault(s => s.Index == video.Index);
        var rateText = raw?.FrameRate ?? string.Empty;
        var rate = ParseRate(rateText);
        var average = video.AverageFrameRate;
        if (!double.IsFinite(rate) || rate <= 0)
        {
            throw new VideoFormatException($"'{path}' does not state a frame rate, so its timing cannot be kept.");
        }

        if (double.IsFinite(average) && average > 0 && Math.Abs(average - rate) > FrameRateTolerance * rate)
        {
            throw new VideoFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{path}' has a variable frame rate (base {rate:0.###} fps, average {average:0.###} fps). Convert it to a constant rate first, for example: ffmpeg -i IN -fps_mode cfr -r {Math.Round(average, 3)} OUT.mp4"));
        }

        var duration = video.Duration > TimeSpan.Zero ? video.Duration : analysis.Duration;
        var stated = raw?.ExtensionData is { } extra && extra.TryGetValue("nb_frames", out var nb) && long.TryParse(nb.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        long frames = stated > 0 ? stated : (long)Math.Round(duration.TotalSeconds * rate);
        if (frames <= 0)
        {
            throw new VideoFormatException($"'{path}' has no frames.");
        }

        if (duration > maxDuration)
        {
            throw new VideoFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{path}' lasts {duration:hh\\:mm\\:ss}, longer than VideoStyleTransferOptions.MaxDuration ({maxDuration:hh\\:mm\\:ss}). Cut it or raise the limit."));
        }

        var (width, height) = Math.Abs(video.Rotation) % 180 == 90 ? (video.Height ?? 0, video.Width ?? 0) : (video.Width ?? 0, video.Height ?? 0);
        if (width <= 0 || height <= 0)
        {
            throw new VideoFormatException($"'{path}' has frames of no size ({width}×{height}).");
        }

        return new VideoInfo(width, height, rate, rateText, frames, stated > 0, duration, analysis.PrimaryAudioStream is not null, video.CodecName ?? "unknown");
    }

    /// <summary>Parses ffprobe's rational rate ("30000/1001", "25/1"); NaN when it is not one.</summary>
    internal static double ParseRate(string text)
    {
        var parts = text.Split('/');
        if (parts.Length is 1 or 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var numerator)
            && (parts.Length == 1 ? 1 : double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0) is var denominator
            && denominator > 0)
        {
            return numerator / denominator;
        }

        return double.NaN;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
