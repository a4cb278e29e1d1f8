using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Xunit;

namespace NeuralStyle.Video.Tests;

/// <summary>
/// Test clips made at test time with ffmpeg from the repository's sample images, and the shared weights.
/// </summary>
internal static class Clips
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Sample(string name) => Path.Combine(RepositoryRoot, "samples", "images", name);

    /// <summary>The SqueezeNet weights (NEURALSTYLE_WEIGHTS); skips the test when absent, fails it on CI.</summary>
    public static string Weights()
    {
        var path = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS");
        if (!string.IsNullOrEmpty(path) && File.Exists(path))
        {
            return path;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true requires NEURALSTYLE_WEIGHTS.");
        }

        Assert.Skip("Missing SqueezeNet weights (set NEURALSTYLE_WEIGHTS).");
        return null!;
    }

    /// <summary>
    /// A pan across the village at 256×192: a <paramref name="width"/>×<paramref name="height"/> window that moves
    /// <paramref name="step"/> pixels right per frame, so the true flow from frame t to t+1 is (−step, 0) everywhere.
    /// </summary>
    public static string Pan(string folder, int frames, string extension = ".mp4", bool audio = false, int width = 64, int height = 48, int step = 1, string codec = "-c:v libx264 -crf 12 -pix_fmt yuv420p")
    {
        var path = Path.Combine(folder, $"pan-{width}x{height}-{frames}{extension}");
        var seconds = (frames / 25.0).ToString("0.###", CultureInfo.InvariantCulture);
        var audioInput = audio ? "-f lavfi -i sine=frequency=440:sample_rate=48000" : string.Empty;
        var audioOut = audio ? (extension == ".webm" ? "-map 1:a -c:a libopus" : "-map 1:a -c:a aac") : "-an";
        Ffmpeg($"-loop 1 -framerate 25 -i \"{Sample("content-village.png")}\" {audioInput} -filter_complex \"[0]scale=256:192,crop={width}:{height}:x='20+{step}*n':y=60[v]\" -map \"[v]\" {audioOut} -t {seconds} {codec} \"{path}\"");
        return path;
    }

    /// <summary>A 16×16 patch of the mosaic moving 2 pixels right per frame over a still village background.</summary>
    public static string MovingObject(string folder, int frames)
    {
        var path = Path.Combine(folder, $"object-{frames}.mp4");
        Ffmpeg($"-loop 1 -framerate 25 -i \"{Sample("content-village.png")}\" -loop 1 -framerate 25 -i \"{Sample("style-mosaic.png")}\" -filter_complex \"[0]scale=64:48[bg];[1]scale=16:16[fg];[bg][fg]overlay=x='8+2*n':y=16,format=yuv420p[v]\" -map \"[v]\" -frames:v {frames} -c:v libx264 -crf 12 \"{path}\"");
        return path;
    }

    /// <summary>Runs ffmpeg with the arguments; fails the test when it fails.</summary>
    public static void Ffmpeg(string arguments)
    {
        var start = new ProcessStartInfo("ffmpeg", "-y -v error -nostdin " + arguments) { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {arguments} failed: {errors}");
        }
    }

    /// <summary>ffprobe's value of one entry of the first stream of a kind (v or a), or null when there is no such stream.</summary>
    public static string? Probe(string path, string stream, string entry)
    {
        var start = new ProcessStartInfo("ffprobe", $"-v error -select_streams {stream}:0 -show_entries stream={entry} -of default=nw=1:nk=1 \"{path}\"")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return text.Length == 0 ? null : text;
    }

    /// <summary>Decodes every frame of a video to PNGs in a folder and returns how many there are.</summary>
    public static int ExtractFrames(string video, string folder)
    {
        Directory.CreateDirectory(folder);
        Ffmpeg($"-i \"{video}\" \"{Path.Combine(folder, "%04d.png")}\"");
        return Directory.GetFiles(folder, "*.png").Length;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (NeuralStyle.sln) was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralstyle-video-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
