using System;
using System.IO;
using System.Linq;
using FFMpegCore;

namespace NeuralStyle.Video.IO;

/// <summary>Finds <c>ffmpeg</c> and <c>ffprobe</c>: in a given folder, or on the <c>PATH</c>.</summary>
internal sealed class FfmpegTools
{
    private FfmpegTools(string ffmpeg, string ffprobe)
    {
        Ffmpeg = ffmpeg;
        Ffprobe = ffprobe;
        Options = new FFOptions { BinaryFolder = Path.GetDirectoryName(ffmpeg)! };
    }

    public string Ffmpeg { get; }

    public string Ffprobe { get; }

    /// <summary>FFMpegCore's options pointing at the folder found.</summary>
    public FFOptions Options { get; }

    /// <exception cref="FfmpegNotFoundException">A program is missing.</exception>
    public static FfmpegTools Locate(string? folder)
    {
        var ffmpeg = Find("ffmpeg", folder);
        var ffprobe = Find("ffprobe", folder);
        if (Path.GetDirectoryName(ffmpeg) != Path.GetDirectoryName(ffprobe))
        {
            throw new FfmpegNotFoundException($"ffmpeg ({ffmpeg}) and ffprobe ({ffprobe}) are in different folders; set VideoStyleTransferOptions.FfmpegFolder to the folder that holds both.");
        }

        return new FfmpegTools(ffmpeg, ffprobe);
    }

    private static string Find(string program, string? folder)
    {
        var name = OperatingSystem.IsWindows() ? program + ".exe" : program;
        if (folder is not null)
        {
            var path = Path.Combine(folder, name);
            return File.Exists(path)
                ? Path.GetFullPath(path)
                : throw new FfmpegNotFoundException($"{program} was not found in {folder} (VideoStyleTransferOptions.FfmpegFolder). Install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg) or point the option at its folder.");
        }

        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return found is not null
            ? Path.GetFullPath(found)
            : throw new FfmpegNotFoundException($"{program} was not found on the PATH. Install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg) or set VideoStyleTransferOptions.FfmpegFolder.");
    }
}
