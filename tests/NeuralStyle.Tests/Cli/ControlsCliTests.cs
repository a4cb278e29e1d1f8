using System;
using System.CommandLine;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Cli;

public sealed class ControlsCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralstyle-controls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_control_has_a_spelling()
    {
        var options = Parse(
            "c.png", "a.png", "b.png", "--style-blend", "0.7,0.3", "--style-scale", "0.5", "--preserve-colors", "histogram", "--init", "blend",
            "--init-noise-ratio", "0.3", "--seed", "5", "--content-layers", "fire2,fire4", "--content-layer-weights", "1,0.5", "--content-weight", "0.1",
            "--style-layers", "relu1,fire3", "--style-weights", "100,10", "--normalize-style-weights", "1000", "--style-strength", "1.5", "--tv-weight", "0.2",
            "--optimizer", "lbfgs", "--lr", "0.8", "--lbfgs-history", "20", "--lbfgs-tolerance", "1e-6", "--iterations", "50");
        options.StyleBlendWeights.Should().Equal(0.7, 0.3);
        options.StyleScale.Should().Be(0.5);
        options.PreserveColors.Should().Be(ColorPreservation.HistogramMatch);
        (options.Initialization, options.InitNoiseRatio, options.Seed).Should().Be((Initialization.Blend, 0.3, 5));
        options.ContentLayers.Should().Equal(3, 6);
        options.ContentLayerWeights.Should().Equal(1, 0.5);
        options.ContentWeight.Should().Be(0.1);
        options.StyleLayers.Should().Equal(1, 4);
        options.StyleWeights.Should().Equal(100, 10);
        (options.NormalizeStyleWeightsTo, options.StyleStrength, options.TotalVariationWeight).Should().Be((1000.0, 1.5, 0.2));
        (options.Optimizer.Kind, options.Optimizer.LbfgsLearningRate, options.Optimizer.LbfgsHistorySize, options.Optimizer.LbfgsTolerance, options.Iterations).Should().Be((OptimizerKind.Lbfgs, 0.8, 20, 1e-6, 50));

        var adam = Parse("c.png", "s.png", "--decayed-lr", "0.05", "--decay-start", "0.8", "--preserve-colors", "luminance", "--init", "style");
        (adam.Optimizer.DecayedLearningRate, adam.Optimizer.DecayStartFraction, adam.PreserveColors, adam.Initialization).Should().Be((0.05, 0.8, ColorPreservation.Luminance, Initialization.Style));
        var act = () => Parse("c.png", "s.png", "--preserve-colors", "sepia");
        act.Should().Throw<ArgumentException>().WithMessage("*sepia*");
    }

    [Fact]
    public async Task Two_styles_with_blend_mask_colours_and_blend_init_run_end_to_end()
    {
        using (var mask = ControlsKit.SplitMask(64, 48, 32))
        {
            ImageFile.Save(mask, Path.Combine(_folder, "mask.png"));
        }

        var output = Path.Combine(_folder, "out.png");
        var (code, stdout, stderr) = await Run(
            Sample("content-village.png"), Sample("style-mosaic.png"), Sample("style-waves.png"), "-o", output, "--size", "48", "--style-scale", "0.75",
            "--style-blend", "0.7,0.3", "--mask", Path.Combine(_folder, "mask.png"), "--preserve-colors", "luminance", "--init", "blend", "--init-noise-ratio", "0.2",
            "--style-strength", "2", "-i", "4", "--save-every", "2", "--progress-every", "2", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu");
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        stdout.Should().Contain("wrote " + output);
        using var result = ImageFile.Load(output);
        (result.Width, result.Height).Should().Be((64, 48));
        File.Exists(Path.Combine(_folder, "out-2.png")).Should().BeTrue("--save-every still writes intermediate results");
    }

    [Fact]
    public async Task Style_masks_run_and_must_match_the_styles()
    {
        using (var left = ControlsKit.SplitMask(64, 48, 32, whiteRight: false))
        using (var right = ControlsKit.SplitMask(64, 48, 32))
        {
            ImageFile.Save(left, Path.Combine(_folder, "left.png"));
            ImageFile.Save(right, Path.Combine(_folder, "right.png"));
        }

        string[] common = ["--size", "48", "-i", "2", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu", "-q"];
        var (code, _, stderr) = await Run([Sample("content-village.png"), Sample("style-mosaic.png"), Sample("style-waves.png"), "-o", Path.Combine(_folder, "two.png"),
            "--style-mask", Path.Combine(_folder, "left.png"), "--style-mask", Path.Combine(_folder, "right.png"), .. common]);
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        File.Exists(Path.Combine(_folder, "two.png")).Should().BeTrue();

        (code, _, stderr) = await Run([Sample("content-village.png"), Sample("style-mosaic.png"), Sample("style-waves.png"), "-o", Path.Combine(_folder, "bad.png"),
            "--style-mask", Path.Combine(_folder, "left.png"), .. common]);
        code.Should().Be(2);
        stderr.Should().Contain("--style-mask");

        (code, _, stderr) = await Run([Sample("content-village.png"), Sample("style-mosaic.png"), "-o", Path.Combine(_folder, "bad.png"), "--style-blend", "1,2", .. common]);
        code.Should().Be(2);
        stderr.Should().Contain("--style-blend").And.NotContain("StyleBlendWeights");
    }

    [Theory]
    [InlineData("--style-scale", "9", "--style-scale must be between 0.25 and 4")]
    [InlineData("--init-noise-ratio", "2", "--init-noise-ratio must be between 0 and 1")]
    [InlineData("--style-strength", "-1", "--style-strength must be between 0 and 1000")]
    [InlineData("--content-layers", "fire2,fire11", "fire11")]
    public async Task Bad_control_values_are_rejected_with_a_message(string option, string value, string mentioned)
    {
        var (code, _, stderr) = await Run(Sample("content-village.png"), Sample("style-mosaic.png"), option, value, "--weights", SharedAssets.SafeTensorsWeights);
        code.Should().Be(2);
        stderr.Should().Contain(mentioned).And.NotContain("(Parameter");
    }

    [Fact]
    public async Task Help_lists_the_control_options()
    {
        var (code, output, _) = await Run("--help");
        code.Should().Be(0);
        foreach (var option in new[] { "--style-blend", "--style-scale", "--mask", "--style-mask", "--preserve-colors", "--init-noise-ratio", "--content-layers", "--normalize-style-weights", "--style-strength", "--lbfgs-history", "--decayed-lr" })
        {
            output.Should().Contain(option);
        }
    }

    private static StyleTransferOptions Parse(params string[] args)
    {
        var o = new StyleOptions();
        var root = new RootCommand();
        o.AddTo(root);
        var parse = root.Parse(args);
        parse.Errors.Should().BeEmpty();
        return o.ToOptions(parse);
    }

    private static string Sample(string name) => CliRunner.Sample(name);

    private static Task<(int Code, string Output, string Error)> Run(params string[] args) => CliRunner.RunAsync(args);
}
