using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>Numbers on the command line mean the same under every locale: 0.5 is one half in Germany, France and Turkey too.</summary>
public sealed class CliCultureTests
{
    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("tr-TR")]
    public void The_parsers_are_culture_invariant(string culture)
    {
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            var o = new StyleOptions();
            var root = new RootCommand();
            o.AddTo(root);
            var parse = root.Parse(["c.png", "a.png", "b.png", "--lr", "0.5", "--init-noise-ratio", "0.25", "--init", "BLEND", "--optimizer", "LBFGS",
                "--style-blend", "0.7,0.3", "--style-scale", "1.5", "--tv-weight", "1e-3", "--max-memory", "1.5GB", "--iterations", "12",
                "--preserve-colors", "LUMINANCE", "--max-image-pixels", "1000000"]);
            parse.Errors.Should().BeEmpty();
            var options = o.ToOptions(parse);

            (options.Optimizer.LbfgsLearningRate, options.InitNoiseRatio, options.StyleScale, options.TotalVariationWeight).Should().Be((0.5, 0.25, 1.5, 1e-3));
            (options.Initialization, options.Optimizer.Kind, options.PreserveColors).Should().Be((Initialization.Blend, OptimizerKind.Lbfgs, ColorPreservation.Luminance));
            options.StyleBlendWeights.Should().Equal(0.7, 0.3);
            (options.HighResolution.MaxMemoryBytes, options.Iterations, options.Runtime.MaxImagePixels).Should().Be((1536L << 20, 12, 1_000_000L));
            root.Parse(["c.png", "s.png", "--lr", "0,5"]).Errors.Should().ContainSingle().Which.Message.Should().Contain("--learning-rate expects a number");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
    }

    [Fact]
    public async Task The_tool_reads_and_prints_numbers_the_same_under_a_german_locale()
    {
        var folder = Directory.CreateTempSubdirectory("neuralstyle-culture-").FullName;
        try
        {
            var output = Path.Combine(folder, "out.png");
            var (code, stdout, stderr) = await CliRunner.RunAsync(
                [CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", output, "--size", "32", "--style-size", "32", "-i", "2",
                    "--init", "blend", "--init-noise-ratio", "0.5", "--lr", "0.5", "--progress-every", "1", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu"],
                new Dictionary<string, string?> { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" });

            stderr.Should().BeEmpty("0.5 is not read as 5");
            code.Should().Be(0);
            stdout.Should().MatchRegex(@"wrote .* in \d+\.\d s on cpu", "seconds are printed with a decimal point");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
