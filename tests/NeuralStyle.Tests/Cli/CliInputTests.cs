using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// The command line with bad input end to end: every failure is one line on standard error naming the problem, a
/// the exit code docs/cli.md documents (2 for an unusable option or input image, 1 for numerics, memory and libtorch) and no output file.
/// </summary>
public sealed class CliInputTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task One_pixel_content_and_style_are_enlarged_and_stylised()
    {
        var content = Write("one.png", TestImages.Create(1, 1, (_, _) => new SKColor(180, 60, 20)));
        var style = Write("dot.png", TestImages.Create(1, 1, (_, _) => new SKColor(20, 60, 180)));
        var output = _folder.File("out.png");

        // Enough steps at rate 1 for the style to show (RunInputTests measured 0.35 after 20, 0.14 after 60; two at the presets' 3 are noise).
        var (code, _, stderr) = await Run(content, style, "-o", output, "--size", "32", "--style-size", "32", "-i", "60", "--lr", "1", "-q");

        stderr.Should().BeEmpty();
        code.Should().Be(0);
        using var result = ImageFile.Load(output);
        (result.Width, result.Height).Should().Be((32, 32));
        using var contentImage = ImageFile.Load(content);
        using var styleImage = ImageFile.Load(style);
        var relative = StyleMeasure.RelativeStyleLoss(result, contentImage, styleImage, StyleTransferPresets.CompositionVii with { StyleSize = 32 });
        TestContext.Current.TestOutputHelper?.WriteLine($"style loss relative to the content: {relative:F3}");
        relative.Should().BeLessThan(StyleMeasure.StylisedBelow, "the tool's default preset (composition-vii) carries the style");
    }

    public static TheoryData<string, string> BadImages => new()
    {
        { "zero", "declares an empty size 0x0" },
        { "truncated", "truncated" },
        { "text", "not an image" },
        { "huge", "exceeds the limit" },
        { "directory", "is a folder" },
    };

    [Theory]
    [MemberData(nameof(BadImages))]
    public async Task A_bad_image_is_one_line_exit_code_2_and_no_output(string kind, string reason)
    {
        var bad = _folder.File(kind + ".png");
        switch (kind)
        {
            case "zero":
                File.WriteAllBytes(bad, TestImages.PngHeaderOnly(0, 0));
                break;
            case "truncated":
                using (var noise = TestImages.Noise(64, 64))
                {
                    var png = TestImages.Encode(noise, SKEncodedImageFormat.Png);
                    File.WriteAllBytes(bad, png[..(png.Length / 2)]);
                }

                break;
            case "text":
                File.WriteAllText(bad, "not a picture");
                break;
            case "huge":
                File.WriteAllBytes(bad, TestImages.PngHeaderOnly(50_000, 50_000));
                break;
            default:
                Directory.CreateDirectory(bad);
                break;
        }

        var output = _folder.File("out.png");
        foreach (var args in new[] { new[] { bad, Sample("style-mosaic.png") }, new[] { Sample("content-village.png"), bad } })
        {
            var (code, _, stderr) = await Run([.. args, "-o", output, "--size", "32", "-i", "1"]);
            code.Should().Be(2);
            stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(bad).And.Contain(reason);
            File.Exists(output).Should().BeFalse();
        }
    }

    [Fact]
    public async Task An_extreme_aspect_ratio_is_refused_with_exit_code_2()
    {
        var sliver = Write("sliver.png", TestImages.Create(1, 3000, (_, y) => new SKColor((byte)y, 0, 0)));
        var output = _folder.File("out.png");

        var (code, _, stderr) = await Run(sliver, Sample("style-mosaic.png"), "-o", output, "--size", "192", "-i", "1");

        code.Should().Be(2);
        stderr.Should().Contain("192×576000").And.Contain("--max-image-pixels");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task The_image_pixel_limit_can_be_set_on_the_command_line()
    {
        // The sample content is 512×384: at --size 32 it is 42×32 = 1,344 pixels.
        var output = _folder.File("out.png");
        string[] args = [Sample("content-village.png"), Sample("style-mosaic.png"), "-o", output, "--size", "32", "--style-size", "32", "-i", "1", "-q"];

        var (code, _, stderr) = await Run([.. args, "--max-image-pixels", "1343"]);
        code.Should().Be(2);
        stderr.Should().Contain("42×32");

        (code, _, stderr) = await Run([.. args, "--max-image-pixels", "1344"]);
        stderr.Should().BeEmpty();
        code.Should().Be(0);
    }

    [Fact]
    public async Task Running_out_of_memory_is_one_line_and_exit_code_1()
    {
        var sliver = Write("sliver.png", TestImages.Create(1, 65535, (_, y) => new SKColor((byte)y, 0, 0)));
        var output = _folder.File("out.png");

        var (code, _, stderr) = await Run(sliver, Sample("style-mosaic.png"), "-o", output, "--size", "16384", "--style-size", "32", "--max-image-pixels", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "1");

        code.Should().Be(1);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("Not enough memory").And.Contain("--size");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task The_features_command_reports_a_libtorch_failure_in_one_line()
    {
        var sliver = Write("sliver.png", TestImages.Create(1, 65535, (_, y) => new SKColor((byte)y, 0, 0)));

        var (code, _, stderr) = await Run("features", sliver, "--size", "16384");

        code.Should().Be(1);
        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("libtorch failed").And.Contain("can't allocate memory");
    }

    [Fact]
    public async Task Absurd_rates_and_weights_that_once_diverged_now_finish_because_lbfgs_searches_its_step()
    {
        var output = _folder.File("out.png");

        var (code, _, stderr) = await Run(
            Sample("content-village.png"), Sample("style-mosaic.png"), "-o", output, "--size", "32", "--style-size", "32", "-i", "40",
            "--optimizer", "lbfgs", "--lr", "10000", "--content-weight", "1e12", "--style-weights", "1e12,1e12,1e12,1e12", "--tv-weight", "1e12", "-q");

        stderr.Should().BeEmpty();
        code.Should().Be(0);
        File.Exists(output).Should().BeTrue();
    }

    [Fact]
    public void A_numerical_failure_is_one_line_and_exit_code_1()
    {
        var failure = new NumericalInstabilityException("The loss became NaN at iteration 3 (content=1, style=NaN).\nLower the learning rate or the loss weights.") { Iteration = 3 };

        var (message, code) = CliErrors.Describe(failure);

        code.Should().Be(1);
        message.Split('\n').Should().ContainSingle().Which.Should().Contain("The loss became NaN at iteration 3").And.Contain("Lower the learning rate");
    }

    private static string Sample(string name) => CliRunner.Sample(name);

    private static Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        string[] common = args[0] == "features"
            ? ["--weights", SharedAssets.SafeTensorsWeights, "--device", "cpu"]
            : ["--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu"];
        return CliRunner.RunAsync([.. args, .. common]);
    }

    private string Write(string name, SKBitmap bitmap)
    {
        using (bitmap)
        {
            var path = _folder.File(name);
            ImageFile.Save(bitmap, path);
            return path;
        }
    }
}
