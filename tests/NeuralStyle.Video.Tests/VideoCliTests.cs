using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using Xunit;

namespace NeuralStyle.Video.Tests;

public sealed class VideoCliTests
{
    [Fact]
    public async Task Video_stylises_a_clip_and_reports_each_frame()
    {
        using var folder = new TempFolder();
        var input = Clips.Pan(folder.Path, frames: 3, audio: true);
        var output = folder["styled.mp4"];

        var (code, stdout, stderr) = await Run(
            "video", input, Clips.Sample("style-waves.png"), "-o", output, "--size", "48", "--style-size", "64", "--iterations", "2",
            "--frame-iterations", "1", "--threads", "1", "--device", "cpu", "--weights", Clips.Weights(), "--no-download");

        stderr.Should().BeEmpty();
        code.Should().Be(0);
        stdout.Should().Contain("frame 1/3").And.Contain("frame 3/3 (100%)").And.Contain("left").And.Contain("wrote " + output);
        Clips.Probe(output, "v", "nb_frames").Should().Be("3");
        Clips.Probe(output, "a", "codec_name").Should().Be("aac");
    }

    [Theory]
    [InlineData("--tile-size", "256")]
    [InlineData("--max-memory", "1GB")]
    [InlineData("--init-image", "style")]
    [InlineData("--save-every", "5")]
    public async Task Still_only_flags_are_refused_by_name(string flag, string value)
    {
        using var folder = new TempFolder();
        var style = Clips.Sample("style-waves.png");
        var (code, _, stderr) = await Run("video", folder["in.mp4"], style, "-o", folder["out.mp4"], flag, value == "style" ? style : value);

        code.Should().Be(2);
        stderr.Should().StartWith($"neural-style: error: {flag} cannot be used with video");
        File.Exists(folder["out.mp4"]).Should().BeFalse();
    }

    [Fact]
    public async Task A_bad_video_flag_is_named_as_a_flag()
    {
        using var folder = new TempFolder();
        var (code, _, stderr) = await Run("video", folder["in.mp4"], Clips.Sample("style-waves.png"), "--temporal-weight", "-1");

        code.Should().Be(2);
        stderr.Should().StartWith("neural-style: error: --temporal-weight: ").And.NotContain("VideoStyleTransferOptions").And.NotContain("Parameter");
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_is_one_clear_line()
    {
        using var folder = new TempFolder();
        var input = folder["notes.mov"];
        File.WriteAllText(input, "not a video");
        var (code, _, stderr) = await Run("video", input, Clips.Sample("style-waves.png"), "-o", folder["out.mp4"]);

        code.Should().Be(1);
        stderr.Trim().Should().StartWith("neural-style: error: ").And.Contain("not a video").And.NotContain("\n");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, interactive: false, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
