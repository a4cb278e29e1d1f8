using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NeuralStyle.Imaging;
using NeuralStyle.Video;
using NeuralStyle.Video.Flow;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Video with and without temporal consistency on two clips made from the sample images whose true motion is known: a pan
/// (the window moves <c>step</c> pixels right per frame) and a patch of the mosaic moving 2 pixels right per frame over the
/// still village. Per clip it runs every frame independently (a still run of <c>--iterations</c>) and with temporal
/// consistency (the defaults unless overridden), and prints one JSON line with the temporal error
/// <c>mean_t Σ c ⊙ (x_t − warp(x_{t−1}))² / (3 Σ c)</c> (RGB in [0, 1], true flows), each frame's style loss relative to the
/// independent (still) run on that frame, and iterations and seconds per frame. It also writes side-by-side frames
/// (content | independent | consistent) for eng/video-benchmark.sh to turn into a contact sheet and an animation.
/// </summary>
/// <remarks>Arguments: <c>--out DIR</c>, <c>--weights PATH</c>, <c>--frames 16</c>, <c>--width 128</c>, <c>--height 96</c>,
/// <c>--iterations 200</c>, <c>--frame-iterations</c>, <c>--temporal-weight</c>, <c>--frame-lr</c>, <c>--threads 1</c>,
/// <c>--clips pan,object</c>, <c>--style style-mosaic.png</c>, <c>--skip-independent 1</c> (reuse the last independent run).</remarks>
internal static class VideoRunner
{
    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var o = StepTimer.Parse(args);
        string Get(string key, string fallback) => o.GetValueOrDefault(key) ?? fallback;
        int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Double(string key, double fallback) => double.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var output = Path.GetFullPath(Get("out", "video-benchmark"));
        var weights = o.GetValueOrDefault("weights") ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new ArgumentException("Pass --weights PATH or set NEURALSTYLE_WEIGHTS.");
        int frames = Int("frames", 16), width = Int("width", 128), height = Int("height", 96);
        var samples = Path.Combine(FindRoot(), "samples", "images");
        using var style = ImageFile.Load(Path.Combine(samples, Get("style", "style-mosaic.png")));
        var still = StyleTransferPresets.CompositionVii with
        {
            ImageSize = null,
            StyleSize = 256,
            Iterations = Int("iterations", 200),
            Runtime = StyleTransferPresets.CompositionVii.Runtime with { Threads = Int("threads", 1), Device = "cpu" },
            Weights = StyleTransferPresets.CompositionVii.Weights with { Path = weights, AllowDownload = false },
        };
        var consistent = new VideoStyleTransferOptions
        {
            Style = still,
            FrameIterations = Int("frame-iterations", VideoStyleTransferOptions.DefaultFrameIterations),
            TemporalWeight = Double("temporal-weight", VideoStyleTransferOptions.DefaultTemporalWeight),
            FrameLearningRate = Double("frame-lr", new VideoStyleTransferOptions().FrameLearningRate),
            KeepWorkFolder = true,
        };
        var independent = consistent with { TemporalConsistency = false };

        foreach (var clip in Get("clips", "pan,object").Split(','))
        {
            var folder = Path.Combine(output, clip);
            Directory.CreateDirectory(folder);
            var input = Path.Combine(folder, "input.mp4");
            var motion = MakeClip(clip, samples, input, frames, width, height);
            Stats? baseline = null;
            if (!o.ContainsKey("skip-independent") || !File.Exists(Path.Combine(folder, "independent.json")))
            {
                baseline = await StyliseAsync(input, style, Path.Combine(folder, "independent.mp4"), independent).ConfigureAwait(false);
                File.WriteAllText(Path.Combine(folder, "independent.json"), JsonSerializer.Serialize(baseline));
            }

            baseline ??= JsonSerializer.Deserialize<Stats>(File.ReadAllText(Path.Combine(folder, "independent.json")))!;
            var ours = await StyliseAsync(input, style, Path.Combine(folder, "consistent.mp4"), consistent).ConfigureAwait(false);
            var errorIndependent = TemporalError(Path.Combine(folder, "independent.mp4.frames"), motion, frames);
            var errorConsistent = TemporalError(Path.Combine(folder, "consistent.mp4.frames"), motion, frames);
            var styleRatios = ours.Style.Zip(baseline.Style, (a, b) => a / b).ToArray();
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                clip,
                frames,
                size = $"{width}x{height}",
                frameIterations = consistent.FrameIterations,
                temporalWeight = consistent.TemporalWeight,
                frameLearningRate = consistent.FrameLearningRate,
                temporalErrorIndependent = errorIndependent,
                temporalErrorConsistent = errorConsistent,
                temporalErrorRatio = errorConsistent / errorIndependent,
                styleRatioMean = styleRatios.Average(),
                styleRatioMax = styleRatios.Max(),
                styleRatioFirstFrame = styleRatios[0],
                iterationsIndependent = baseline.Iterations.Sum(),
                iterationsConsistent = ours.Iterations.Sum(),
                iterationRatio = (double)ours.Iterations.Sum() / baseline.Iterations.Sum(),
                secondsPerFrameIndependent = baseline.Seconds.Average(),
                secondsPerFrameConsistent = ours.Seconds.Average(),
                secondsPerLaterFrameConsistent = ours.Seconds.Skip(1).Average(),
            }));
            SideBySide(input, folder, frames, width, height);
        }

        return 0;
    }

    /// <summary>Per-frame style loss, iterations and seconds of one run.</summary>
    private sealed record Stats(double[] Style, int[] Iterations, double[] Seconds);

    private static async Task<Stats> StyliseAsync(string input, SKBitmap style, string output, VideoStyleTransferOptions options)
    {
        var work = output + ".frames";
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var done = new List<VideoStyleTransferProgress>();
        var progress = new Recorder(r => { if (r.FrameCompleted) { done.Add(r); } });
        await VideoStyleTransfer.RunAsync(input, style, output, options, progress).ConfigureAwait(false);
        return new Stats([.. done.Select(d => d.Losses!.Style)], [.. done.Select(d => d.Iteration)], [.. done.Select(d => d.FrameElapsed.TotalSeconds)]);
    }

    /// <summary>The true motion of a clip: the backward flow into frame t and the forward flow out of frame t − 1.</summary>
    private delegate (Tensor Backward, Tensor Forward) Motion(int frame);

    private static Motion MakeClip(string clip, string samples, string path, int frames, int width, int height)
    {
        var village = Path.Combine(samples, "content-village.png");
        var seconds = (frames / 25.0).ToString("0.###", CultureInfo.InvariantCulture);
        const string codec = "-c:v libx264 -crf 4 -pix_fmt yuv444p";
        if (clip == "pan")
        {
            const int step = 2;
            Ffmpeg($"-loop 1 -framerate 25 -i \"{village}\" -vf \"scale={2 * width}:{2 * height},crop={width}:{height}:x='{width / 8}+{step}*n':y={height / 2}\" -t {seconds} {codec} \"{path}\"");
            return _ => (Uniform(width, height, step), Uniform(width, height, -step));
        }

        var side = height / 3;
        Ffmpeg($"-loop 1 -framerate 25 -i \"{village}\" -loop 1 -framerate 25 -i \"{Path.Combine(samples, "style-mosaic.png")}\" -filter_complex \"[0]scale={width}:{height}[bg];[1]scale={side}:{side}[fg];[bg][fg]overlay=x='8+2*n':y={side}\" -t {seconds} {codec} \"{path}\"");
        return frame => (Box(width, height, side, 8 + (2 * frame), -2), Box(width, height, side, 8 + (2 * (frame - 1)), 2));
    }

    private static Tensor Uniform(int width, int height, float dx)
    {
        var flow = zeros(1, 2, height, width);
        flow[0, 0] = full(height, width, dx);
        return flow;
    }

    private static Tensor Box(int width, int height, int side, int left, float dx)
    {
        var flow = zeros(1, 2, height, width);
        var right = Math.Min(width, left + side);
        flow[0, 0, TensorIndex.Slice(side, side + side), TensorIndex.Slice(left, right)] = full(side, right - left, dx);
        return flow;
    }

    /// <summary><c>mean_t Σ c ⊙ (x_t − warp(x_{t−1}))² / (3 Σ c)</c> over frames 2…N, RGB in [0, 1], with the true flows.</summary>
    private static double TemporalError(string folder, Motion motion, int frames)
    {
        var errors = new List<double>();
        for (var t = 1; t < frames; t++)
        {
            using var scope = NewDisposeScope();
            var previous = Load(folder, t);
            var current = Load(folder, t + 1);
            var (backward, forward) = motion(t);
            var c = FlowWarp.ConsistencyWeights(backward, forward);
            var warped = FlowWarp.Warp(previous, backward);
            errors.Add(current.sub(warped).square().mul(c).sum().item<float>() / (3 * c.sum().item<float>()));
        }

        return errors.Average();
    }

    private static Tensor Load(string folder, int frame)
    {
        using var bitmap = ImageFile.Load(Path.Combine(folder, $"{frame:D8}.png"));
        return ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap));
    }

    /// <summary>Writes content | independent | consistent frames side by side (sheet/00000001.png …).</summary>
    private static void SideBySide(string input, string folder, int frames, int width, int height)
    {
        var sheet = Path.Combine(folder, "sheet");
        Directory.CreateDirectory(sheet);
        var content = Path.Combine(folder, "content");
        Directory.CreateDirectory(content);
        Ffmpeg($"-i \"{input}\" \"{Path.Combine(content, "%08d.png")}\"");
        for (var t = 1; t <= frames; t++)
        {
            using var canvasBitmap = new SKBitmap(3 * width, height);
            using (var canvas = new SKCanvas(canvasBitmap))
            {
                var x = 0;
                foreach (var source in new[] { content, Path.Combine(folder, "independent.mp4.frames"), Path.Combine(folder, "consistent.mp4.frames") })
                {
                    using var frame = ImageFile.Load(Path.Combine(source, $"{t:D8}.png"));
                    canvas.DrawBitmap(frame, x, 0);
                    x += width;
                }
            }

            ImageFile.Save(canvasBitmap, Path.Combine(sheet, $"{t:D8}.png"));
        }
    }

    private static void Ffmpeg(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ffmpeg", "-y -v error -nostdin " + arguments) { UseShellExecute = false })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("ffmpeg failed: " + arguments);
        }
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

        throw new InvalidOperationException("NeuralStyle.sln not found.");
    }

    private sealed class Recorder(Action<VideoStyleTransferProgress> report) : IProgress<VideoStyleTransferProgress>
    {
        public void Report(VideoStyleTransferProgress value) => report(value);
    }
}
