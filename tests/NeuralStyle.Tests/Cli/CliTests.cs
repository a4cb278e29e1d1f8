using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralstyle-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Help_lists_the_options()
    {
        var (code, output, _) = await Run("--help");
        code.Should().Be(0);
        foreach (var option in new[] { "--preset", "--size", "--style-size", "--iterations", "--device", "--threads", "--seed", "--weights", "--init", "--output", "--save-every", "features" })
        {
            output.Should().Contain(option);
        }
    }

    [Fact]
    public async Task Stylises_the_sample_images_and_saves_intermediate_images()
    {
        var output = Path.Combine(_folder, "village.jpg");
        var (code, stdout, stderr) = await Run(
            Sample("content-village.png"), Sample("style-mosaic.png"), "-o", output, "--preset", "the-scream", "--size", "48", "--style-size", "64",
            "-i", "20", "--lr", "1", "--save-every", "5", "--progress-every", "5", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu", "--seed", "1");
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        stdout.Should().Contain("iteration 5/20").And.Contain("wrote " + output);
        stdout.Should().MatchRegex(@"iteration 10/20 .*\(\d+\.\d s, estimating time left\)", "the time left is estimated from 10 iterations timed after the first");
        stdout.Should().MatchRegex(@"iteration 15/20 .*\(\d+\.\d s, about \d+\.\d s left\)", "from then on a line gives the time left, in tenths under 10 s");
        using var result = ImageFile.Load(output);
        (result.Width, result.Height).Should().Be((64, 48));
        // docs/cli.md: previews are OUTPUT-N.EXT, in the format of -o, N padded to the width of the iteration count.
        Directory.GetFiles(_folder).Select(Path.GetFileName).Should().BeEquivalentTo(["village.jpg", "village-05.jpg", "village-10.jpg", "village-15.jpg", "village-20.jpg"]);

        // Stylised (20 steps at rate 1; at the preset's 3 a few steps are noise): the independent style loss falls well below the content's.
        using var content = ImageFile.Load(Sample("content-village.png"));
        using var style = ImageFile.Load(Sample("style-mosaic.png"));
        var relative = StyleMeasure.RelativeStyleLoss(result, content, style, StyleTransferPresets.TheScream with { StyleSize = 64 });
        TestContext.Current.TestOutputHelper?.WriteLine($"style loss relative to the content: {relative:F3}");
        relative.Should().BeLessThan(StyleMeasure.StylisedBelow);
    }

    [Fact]
    public async Task Layers_by_name_and_lbfgs_are_accepted()
    {
        var output = Path.Combine(_folder, "named.jpg");
        var (code, _, stderr) = await Run(
            Sample("content-village.png"), Sample("style-waves.png"), "-o", output, "--size", "40", "--style-size", "40", "-i", "3",
            "--content-layer", "fire2", "--style-layers", "relu1,fire3", "--style-weights", "1000,10", "--optimizer", "lbfgs",
            "--weights", SharedAssets.SafeTensorsWeights, "--device", "cpu", "-q");
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        File.Exists(output).Should().BeTrue();

        // L-BFGS may stop early when it has settled: its time left is an upper bound, and the line says so.
        var (lbfgsCode, stdout, lbfgsErrors) = await Run(
            Sample("content-village.png"), Sample("style-waves.png"), "-o", output, "--size", "32", "--style-size", "32", "-i", "20",
            "--optimizer", "lbfgs", "--lbfgs-tolerance", "0", "--progress-every", "5", "--weights", SharedAssets.SafeTensorsWeights, "--device", "cpu");
        lbfgsErrors.Should().BeEmpty();
        lbfgsCode.Should().Be(0);
        stdout.Should().MatchRegex(@"iteration 15/20 .*, up to about \d+\.\d s left\)");
    }

    [Fact]
    public async Task Missing_input_file_is_one_clear_line_and_exit_code_2()
    {
        var missing = Path.Combine(_folder, "nope.png");
        var (code, _, stderr) = await Run(missing, Sample("style-mosaic.png"), "-o", Path.Combine(_folder, "x.png"), "--weights", SharedAssets.SafeTensorsWeights);
        code.Should().Be(2);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("nope.png");
        File.Exists(Path.Combine(_folder, "x.png")).Should().BeFalse();
    }

    [Theory]
    [InlineData("--preset", "mona-lisa", "mona-lisa")]
    [InlineData("--iterations", "2000000", "--iterations must be between 0 and 1,000,000")]
    [InlineData("--device", "tpu", "tpu")]
    [InlineData("--style-layers", "fire10", "fire10")]
    [InlineData("-o", "out.bmp", ".png")]
    public async Task Bad_values_are_rejected_with_a_message(string option, string value, string mentioned)
    {
        var (code, _, stderr) = await Run(Sample("content-village.png"), Sample("style-mosaic.png"), option, value, "--weights", SharedAssets.SafeTensorsWeights);
        code.Should().Be(2);
        stderr.Should().Contain(mentioned);
    }

    [Fact]
    public async Task Features_command_prints_thirteen_layers()
    {
        var (code, output, stderr) = await Run("features", Sample("content-village.png"), "--size", "64", "--weights", SharedAssets.SafeTensorsWeights, "--device", "cpu");
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("fire9").And.Contain("conv1");
        output.Split('\n').Count(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0])).Should().Be(13);
    }

    [Fact]
    public async Task The_memory_command_prints_what_the_docs_show()
    {
        const string Command = "neural-style memory --width 4096 --height 3072 --max-memory 4GB";
        var (code, output, stderr) = await Run(Command.Split(' ')[1..]);
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        foreach (var doc in new[] { "cli.md", "high-resolution.md" })
        {
            var text = File.ReadAllText(Path.Combine(SampleImages.Folder, "..", "..", "docs", doc)).Replace("\r", string.Empty, StringComparison.Ordinal);
            text.Should().Contain($"{Command}\n# {output.Trim()}\n", $"docs/{doc} shows the command's output");
        }
    }

    private static string Sample(string name) => CliRunner.Sample(name);

    private static Task<(int Code, string Output, string Error)> Run(params string[] args) => CliRunner.RunAsync(args);
}
