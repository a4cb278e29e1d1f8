using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.Video.Tests;

public sealed class VideoStyleTransferTests
{
    [Fact]
    public async Task A_clip_streams_to_a_video_with_its_frame_rate_size_and_audio()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 5, audio: true);
        var output = folder["out.mp4"];
        using var style = VideoRunKit.Style();
        var progress = new VideoRunKit.Recorder();

        var result = await VideoStyleTransfer.RunAsync(input, style, output, VideoRunKit.Tiny(), progress, TestContext.Current.CancellationToken);

        result.FrameCount.Should().Be(5);
        result.Iterations.Should().Be(4 + (4 * 2));
        (result.Width, result.Height).Should().Be((64, 48));
        Clips.Probe(output, "v", "r_frame_rate").Should().Be("25/1");
        Clips.Probe(output, "v", "nb_frames").Should().Be("5");
        Clips.Probe(output, "v", "width").Should().Be("64");
        Clips.Probe(output, "a", "codec_name").Should().Be("aac");
        Directory.Exists(output + ".frames").Should().BeFalse("the work folder goes once the output exists");
        Directory.GetFiles(folder.Path).Should().HaveCount(2, "only the input and the output remain");

        var completed = progress.Reports.Where(r => r.FrameCompleted).ToList();
        completed.Select(r => r.Frame).Should().Equal(1, 2, 3, 4, 5);
        completed.Should().OnlyContain(r => r.Remaining != null && r.Losses != null && r.FrameElapsed > TimeSpan.Zero);
        completed[^1].Remaining.Should().Be(TimeSpan.Zero);
        completed[^1].Fraction.Should().Be(1);
        progress.Reports.Should().Contain(r => !r.FrameCompleted && r.Frame == 2 && r.FrameIterations == 2);
        progress.Reports.Where(r => r.Frame > 1 && r.FrameCompleted).Should().OnlyContain(r => r.Losses!.Terms.ContainsKey("temporal"));
    }

    [Fact]
    public async Task WebM_in_and_MOV_out_keep_the_rate_and_the_audio()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 3, extension: ".webm", audio: true, codec: "-c:v libvpx-vp9 -b:v 0 -crf 20 -pix_fmt yuv420p");
        var output = folder["out.mov"];
        using var style = VideoRunKit.Style();

        var result = await VideoStyleTransfer.RunAsync(input, style, output, VideoRunKit.Tiny(2, 1), cancellationToken: TestContext.Current.CancellationToken);

        result.FrameCount.Should().Be(3);
        Clips.Probe(output, "v", "r_frame_rate").Should().Be("25/1");
        Clips.Probe(output, "v", "codec_name").Should().Be("h264");
        Clips.Probe(output, "a", "codec_name").Should().NotBeNull();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Replacing_an_output_keeps_its_permissions_and_writes_through_a_symbolic_link()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 2);
        var target = folder["kept.mp4"];
        await File.WriteAllTextAsync(target, "an older video", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = folder["link.mp4"];
        File.CreateSymbolicLink(link, target);
        using var style = VideoRunKit.Style();

        await VideoStyleTransfer.RunAsync(input, style, link, VideoRunKit.Tiny(2, 1), cancellationToken: TestContext.Current.CancellationToken);

        new FileInfo(link).LinkTarget.Should().Be(target, "the link stays a link");
        File.GetUnixFileMode(target).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "600 stays 600");
        Clips.Probe(target, "v", "nb_frames").Should().Be("2");
        Directory.GetFiles(folder.Path).Should().BeEquivalentTo([input, target, link], "no temporary file is left");
    }

    [Fact]
    public async Task Odd_frame_sizes_are_rounded_down_to_even_for_the_output()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 2, width: 65, height: 49, codec: "-c:v libx264 -crf 12 -pix_fmt yuv444p");
        var output = folder["out.webm"];
        using var style = VideoRunKit.Style();

        var result = await VideoStyleTransfer.RunAsync(input, style, output, VideoRunKit.Tiny(2, 1), cancellationToken: TestContext.Current.CancellationToken);

        (result.Width, result.Height).Should().Be((64, 48));
        Clips.Probe(output, "v", "codec_name").Should().Be("vp9");
        Clips.Probe(output, "v", "width").Should().Be("64");
    }

    [Fact]
    public async Task An_interrupted_run_resumes_where_it_stopped_with_the_same_frames()
    {
        using var folder = new TempFolder();
        var input = Clips.MovingObject(folder.Path, frames: 4);
        using var style = VideoRunKit.Style();
        var options = VideoRunKit.Tiny(3, 2) with { KeepWorkFolder = true };
        var ct = TestContext.Current.CancellationToken;

        var whole = await VideoStyleTransfer.RunAsync(input, style, folder["whole.mp4"], options, cancellationToken: ct);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stopAfterTwo = new VideoRunKit.Recorder(r => { if (r.FrameCompleted && r.Frame == 2) { cancel.Cancel(); } });
        var resumed = folder["resumed.mp4"];
        var interrupted = () => VideoStyleTransfer.RunAsync(input, style, resumed, options, stopAfterTwo, cancel.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        File.Exists(resumed).Should().BeFalse("the output is written only at the end");
        Directory.GetFiles(resumed + ".frames", "*.png").Should().HaveCount(2, "finished frames are kept as they complete");

        var again = new VideoRunKit.Recorder();
        var result = await VideoStyleTransfer.RunAsync(input, style, resumed, options, again, ct);

        result.ResumedFrames.Should().Be(2);
        result.Iterations.Should().Be(2 * 2, "only frames 3 and 4 were stylised");
        again.Reports.Where(r => r.Resumed).Select(r => r.Frame).Should().Equal(1, 2);
        whole.FrameCount.Should().Be(4);
        for (var frame = 1; frame <= 4; frame++)
        {
            var name = $"{frame:D8}.png";
            File.ReadAllBytes(Path.Combine(resumed + ".frames", name)).Should().Equal(
                File.ReadAllBytes(Path.Combine(folder["whole.mp4"] + ".frames", name)), $"frame {frame} is the uninterrupted run's");
        }
    }

    [Fact]
    public async Task A_work_folder_of_another_run_is_not_mixed_in()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 2);
        var output = folder["out.mp4"];
        Directory.CreateDirectory(output + ".frames");
        File.WriteAllText(Path.Combine(output + ".frames", "run.txt"), "another run");
        using var style = VideoRunKit.Style();

        var act = () => VideoStyleTransfer.RunAsync(input, style, output, VideoRunKit.Tiny(2, 1), cancellationToken: TestContext.Current.CancellationToken);

        await act.Should().ThrowAsync<IOException>().WithMessage("*different run*");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task A_ten_hour_clip_streams_frame_by_frame()
    {
        using var folder = new TempFolder();
        var input = folder["long.mp4"];
        Clips.Ffmpeg($"-f lavfi -i color=c=gray:s=32x32:r=1 -t 36000 -c:v libx264 -preset ultrafast -g 100000 \"{input}\"");
        using var style = VideoRunKit.Style();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var progress = new VideoRunKit.Recorder(r => { if (r.FrameCompleted && r.Frame == 2) { cancel.Cancel(); } });

        var act = () => VideoStyleTransfer.RunAsync(input, style, folder["out.mp4"], VideoRunKit.Tiny(1, 1), progress, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        progress.Reports.Where(r => r.FrameCompleted).Select(r => r.FrameCount).Should().AllBeEquivalentTo(36000L);
        var refused = () => VideoStyleTransfer.RunAsync(input, style, folder["b.mp4"], VideoRunKit.Tiny() with { MaxDuration = TimeSpan.FromHours(1) }, cancellationToken: TestContext.Current.CancellationToken);
        await refused.Should().ThrowAsync<VideoFormatException>().WithMessage("*10:00:00*MaxDuration*");
    }
}

/// <summary>Tests that count live tensors run alone: no other test of this assembly creates tensors meanwhile.</summary>
[CollectionDefinition(nameof(SoloVideoTests), DisableParallelization = true)]
public sealed class SoloVideoTests;

/// <summary>A video run leaves no tensors behind.</summary>
[Collection(nameof(SoloVideoTests))]
public sealed class VideoMemoryTests
{
    [Fact]
    public async Task Frames_leave_no_tensors_behind()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 4);
        using var style = VideoRunKit.Style();
        var ct = TestContext.Current.CancellationToken;
        await VideoStyleTransfer.RunAsync(input, style, folder["warm.mp4"], VideoRunKit.Tiny(1, 1), cancellationToken: ct);

        var before = TorchSharp.torch.Tensor.TotalCount;
        await VideoStyleTransfer.RunAsync(input, style, folder["out.mp4"], VideoRunKit.Tiny(2, 1), cancellationToken: ct);

        // TorchSharp counts one phantom tensor per optimisation (the parameter takes over its handle; see
        // docs/architecture.md#memory): one per frame, and nothing else may remain.
        (TorchSharp.torch.Tensor.TotalCount - before).Should().BeLessThanOrEqualTo(4);
    }
}

public sealed class VideoControlsTests
{
    [Fact]
    public async Task A_still_mask_style_blend_and_colour_preservation_apply_to_every_frame()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 3);
        using var mosaic = VideoRunKit.Style();
        using var waves = NeuralStyle.Imaging.ImageFile.Load(Clips.Sample("style-waves.png"));
        // Black everywhere: every finished frame must be its content (the composite keeps the content where the mask is black).
        using var mask = new SkiaSharp.SKBitmap(16, 16);
        mask.Erase(SkiaSharp.SKColors.Black);
        var tiny = VideoRunKit.Tiny(2, 2);
        var options = tiny with
        {
            Style = tiny.Style with { Mask = mask, StyleBlendWeights = [0.7, 0.3], PreserveColors = ColorPreservation.Luminance },
            KeepWorkFolder = true,
        };
        var output = folder["out.mp4"];

        var result = await VideoStyleTransfer.RunAsync(input, [mosaic, waves], output, options, cancellationToken: TestContext.Current.CancellationToken);

        result.FrameCount.Should().Be(3);
        await using var reader = NeuralStyle.Video.IO.FrameReader.Open(NeuralStyle.Video.IO.FfmpegTools.Locate(null), input, 64, 48);
        for (var frame = 1; frame <= 3; frame++)
        {
            var content = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;
            using var finished = NeuralStyle.Imaging.ImageFile.Load(Path.Combine(output + ".frames", $"{frame:D8}.png"));
            var stylised = VideoFrame.FromBitmap(finished);
            var difference = content.Rgb.Zip(stylised.Rgb, (a, b) => Math.Abs(a - b)).Average();
            difference.Should().BeLessThan(1.5, $"frame {frame} is masked out entirely");
        }
    }
}
