using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using Xunit;

namespace NeuralStyle.Video.Tests;

/// <summary>Bad inputs are refused with a typed error before any frame is stylised, and leave nothing behind.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task A_text_file_is_not_a_video()
    {
        using var folder = new TempFolder();
        var input = folder["notes.mp4"];
        File.WriteAllText(input, "this is not a video, just some text that happens to end in .mp4\n");
        await ExpectRefusal<VideoFormatException>(folder, input, "*not a video*");
    }

    [Fact]
    public async Task An_empty_file_is_not_a_video()
    {
        using var folder = new TempFolder();
        var input = folder["empty.mp4"];
        File.WriteAllBytes(input, []);
        await ExpectRefusal<VideoFormatException>(folder, input, "*empty*");
    }

    [Fact]
    public async Task A_truncated_file_is_refused()
    {
        using var folder = new TempFolder();
        var whole = Clips.Pan(folder.Path, frames: 4);
        var input = folder["cut.mp4"];
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(input, bytes[..(bytes.Length / 2)]);
        File.Delete(whole);
        await ExpectRefusal<VideoFormatException>(folder, input, "*truncated*");
    }

    [Fact]
    public async Task A_truncated_webm_is_refused_before_any_frame_is_kept()
    {
        using var folder = new TempFolder();
        var whole = Clips.Pan(folder.Path, frames: 20, extension: ".webm", codec: "-c:v libvpx-vp9 -pix_fmt yuv420p");
        var input = folder["cut.webm"];
        var bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(input, bytes[..(bytes.Length / 2)]);
        File.Delete(whole);
        await ExpectRefusal<VideoFormatException>(folder, input, "*truncated*");
    }

    [Fact]
    public async Task A_file_without_frames_is_refused()
    {
        using var folder = new TempFolder();
        var input = folder["zero.mp4"];
        Clips.Ffmpeg($"-f lavfi -i testsrc=size=64x48:rate=25 -frames:v 0 -c:v libx264 \"{input}\"");
        await ExpectRefusal<VideoFormatException>(folder, input, "*no video stream*");
    }

    [Fact]
    public async Task Audio_alone_is_refused()
    {
        using var folder = new TempFolder();
        var input = folder["sound.mp4"];
        Clips.Ffmpeg($"-f lavfi -i sine=frequency=440 -t 0.5 -c:a aac \"{input}\"");
        await ExpectRefusal<VideoFormatException>(folder, input, "*no video stream (only audio)*");
    }

    [Fact]
    public async Task A_variable_frame_rate_is_refused_with_the_fix()
    {
        using var folder = new TempFolder();
        var input = folder["vfr.mp4"];
        Clips.Ffmpeg($"-f lavfi -i testsrc=size=64x48:rate=25 -frames:v 20 -vf \"setpts='if(lt(N,10),N,N*3)/25/TB'\" -fps_mode vfr -c:v libx264 \"{input}\"");
        await ExpectRefusal<VideoFormatException>(folder, input, "*variable frame rate*-fps_mode cfr*");
    }

    [Fact]
    public async Task Frames_too_small_for_the_network_are_refused()
    {
        using var folder = new TempFolder();
        var input = folder["tiny.mp4"];
        Clips.Ffmpeg($"-f lavfi -i testsrc=size=8x8:rate=25 -frames:v 2 -c:v libx264 \"{input}\"");
        await ExpectRefusal<VideoFormatException>(folder, input, "*8×8*network needs at least*");
    }

    [Fact]
    public async Task A_missing_input_is_refused()
    {
        using var folder = new TempFolder();
        await ExpectRefusal<FileNotFoundException>(folder, folder["nothing-here.mp4"], "*does not exist*");
    }

    [Fact]
    public async Task Missing_ffmpeg_is_refused_naming_the_option()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 2);
        var options = VideoRunKit.Refused() with { FfmpegFolder = folder.Path };
        await ExpectRefusal<FfmpegNotFoundException>(folder, input, "*ffmpeg was not found*FfmpegFolder*", options);
    }

    [Fact]
    public async Task An_unsupported_output_is_refused()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 2);
        using var style = VideoRunKit.Style();
        var act = () => VideoStyleTransfer.RunAsync(input, style, folder["out.gif"], VideoRunKit.Refused(), cancellationToken: TestContext.Current.CancellationToken);
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*.mp4, .mov, .mkv or .webm*");
    }

    [Theory]
    [InlineData("InitialImage")]
    [InlineData("HighResolution.TileSize")]
    [InlineData("HighResolution.MaxMemoryBytes")]
    [InlineData("HighResolution.CoarseToFine")]
    public void Still_options_video_cannot_honour_are_refused_by_name(string option)
    {
        using var bitmap = ImageFile.Load(Clips.Sample("style-waves.png"));
        var still = StyleTransferPresets.CompositionVii;
        still = option switch
        {
            "InitialImage" => still with { Initialization = Initialization.Image, InitialImage = bitmap },
            "HighResolution.TileSize" => still with { HighResolution = still.HighResolution with { TileSize = 256 } },
            "HighResolution.MaxMemoryBytes" => still with { HighResolution = still.HighResolution with { MaxMemoryBytes = 1L << 30 } },
            _ => still with { HighResolution = still.HighResolution with { CoarseToFine = NeuralStyle.HighResolution.CoarseToFineMode.On } },
        };
        var act = () => new VideoStyleTransferOptions { Style = still }.Validate();
        act.Should().Throw<ArgumentException>().WithMessage($"StyleTransferOptions.{option} cannot be used for video*");
    }

    [Fact]
    public void Video_options_out_of_range_are_refused_by_name()
    {
        var act = () => new VideoStyleTransferOptions { TemporalWeight = double.NaN }.Validate();
        act.Should().Throw<ArgumentException>().WithMessage("VideoStyleTransferOptions.TemporalWeight*");
        var iterations = () => new VideoStyleTransferOptions { FrameIterations = -1 }.Validate();
        iterations.Should().Throw<ArgumentException>().WithMessage("VideoStyleTransferOptions.FrameIterations*");
    }

    private static async Task ExpectRefusal<T>(TempFolder folder, string input, string message, VideoStyleTransferOptions? options = null)
        where T : Exception
    {
        using var style = VideoRunKit.Style();
        var output = folder["out.mp4"];
        var act = () => VideoStyleTransfer.RunAsync(input, style, output, options ?? VideoRunKit.Refused(), cancellationToken: TestContext.Current.CancellationToken);
        await act.Should().ThrowAsync<T>().WithMessage(message);
        File.Exists(output).Should().BeFalse();
        Directory.Exists(output + ".frames").Should().BeFalse("nothing is half-written");
        Directory.GetFiles(folder.Path, ".*").Should().BeEmpty("no temporary file is left");
    }
}
