using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace NeuralStyle.Video.IO;

/// <summary>
/// Encodes the finished frames into the output video with <c>ffmpeg</c> (through FFMpegCore), at the input's frame rate and
/// with the input's audio copied, into a temporary file beside the output that is then moved over it in one step
/// (<see cref="NeuralStyle.IO.OutputFile"/>).
/// </summary>
internal static class VideoEncoder
{
    /// <summary>The output formats, by extension.</summary>
    public static bool IsSupportedOutput(string path)
        => Path.GetExtension(path).ToUpperInvariant() is ".MP4" or ".MOV" or ".MKV" or ".WEBM";

    /// <exception cref="IOException">ffmpeg failed to write the video.</exception>
    public static async Task EncodeAsync(
        FfmpegTools tools, string framePattern, string frameRate, string input, bool hasAudio, string output, int quality, CancellationToken cancellationToken)
    {
        try
        {
            // Written as the library writes images (NeuralStyle.IO.OutputFile): into a temporary file beside the output, then
            // moved over it; an existing output keeps its permissions and a symbolic link is written through.
            await NeuralStyle.IO.OutputFile.WriteAsync(output, async (temporary, ct) =>
            {
                try
                {
                    await RunAsync(tools, framePattern, frameRate, input, hasAudio, temporary, quality, copyAudio: true, ct).ConfigureAwait(false);
                }
                catch (FFMpegException) when (hasAudio)
                {
                    // The container cannot hold the input's audio codec (AAC in WebM, Opus in MOV …): re-encode the audio instead.
                    await RunAsync(tools, framePattern, frameRate, input, hasAudio, temporary, quality, copyAudio: false, ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (FFMpegException ex)
        {
            throw new IOException($"ffmpeg could not write '{output}': {ex.Message.Split('\n', 2)[0].Trim()}", ex);
        }
    }

    private static async Task RunAsync(
        FfmpegTools tools, string framePattern, string frameRate, string input, bool hasAudio, string output, int quality, bool copyAudio, CancellationToken cancellationToken)
    {
        var webm = Path.GetExtension(output).Equals(".webm", StringComparison.OrdinalIgnoreCase);
        var rate = frameRate;
        var arguments = FFMpegArguments.FromFileInput(framePattern, verifyExists: false, o => o.WithCustomArgument($"-framerate {rate} -start_number 1"));
        if (hasAudio)
        {
            arguments = arguments.AddFileInput(input);
        }

        var video = webm
            ? string.Create(CultureInfo.InvariantCulture, $"-c:v libvpx-vp9 -b:v 0 -crf {quality + 13} -row-mt 1")
            : string.Create(CultureInfo.InvariantCulture, $"-c:v libx264 -crf {quality} -preset medium");
        var audio = !hasAudio ? "-an" : copyAudio ? "-c:a copy" : webm ? "-c:a libopus" : "-c:a aac";
        var maps = hasAudio ? "-map 0:v:0 -map 1:a:0" : "-map 0:v:0";
        await arguments
            .OutputToFile(output, overwrite: true, o => o.WithCustomArgument($"{maps} {video} -pix_fmt yuv420p -r {rate} {audio} -shortest"))
            .ProcessAsynchronously(true, tools.Options, cancellationToken)
            .ConfigureAwait(false);
    }
}
