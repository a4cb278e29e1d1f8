using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.Docs;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// What the tool itself promises, through the real binary: the defaults its <c>--help</c> states are the library's
/// constants, and the error lines docs/cli.md shows are, word for word, what the tool prints.
/// </summary>
public sealed class CliDocsPromiseTests
{
    private static readonly Lazy<Task<string>> Help = new(async () =>
    {
        var (code, output, _) = await CliRunner.RunAsync("--help");
        code.Should().Be(0);
        return output;
    });

    private static readonly StyleTransferOptions Preset = StyleTransferPresets.CompositionVii;
    private static readonly OptimizerOptions Optimizer = new();
    private static readonly HighResolutionOptions HighResolution = new();

    /// <summary>An option, a pattern on its --help line whose group <c>n</c> is the number it states, and the code's value.</summary>
    public static TheoryData<string, string, string> HelpDefaults => new()
    {
        { "--preset", @"\[default: (?<n>[a-z-]+)\]", "composition-vii" },
        { "--size", @"\(preset: (?<n>\d+)\)", I($"{Preset.ImageSize}") },
        { "--style-scale", @", (?<n>[\d.]+ to [\d.]+) \(", I($"{StyleTransferOptions.MinStyleScale} to {StyleTransferOptions.MaxStyleScale}") },
        { "--iterations", @"\(default (?<n>\d+)\)", I($"{Preset.Iterations}") },
        { "--style-strength", @"\(default (?<n>[\d.]+);", I($"{Preset.StyleStrength}") },
        { "--learning-rate", @"\(Adam: (?<n>[\d.]+);", I($"{Optimizer.LearningRate:0.0}") },
        { "--learning-rate", @"L-BFGS: (?<n>[\d.]+)\)", I($"{Optimizer.LbfgsLearningRate:0.0}") },
        { "--decayed-lr", @"\(default (?<n>[\d.]+)\)", I($"{Optimizer.DecayedLearningRate}") },
        { "--decay-start", @"\(default (?<n>[\d.]+);", I($"{Optimizer.DecayStartFraction}") },
        { "--lbfgs-history", @"\(default (?<n>\d+)\)", I($"{Optimizer.LbfgsHistorySize}") },
        { "--lbfgs-tolerance", @"\(default (?<n>[\de.-]+)\)", I($"{Optimizer.LbfgsTolerance:0e0}") },
        { "--init-noise-ratio", @"\(default (?<n>[\d.]+)\)", I($"{Preset.InitNoiseRatio}") },
        { "--seed", @"\(default (?<n>\d+)\)", I($"{Preset.Seed}") },
        { "--progress-every", @"\(default (?<n>\d+)\)", I($"{Optimizer.ProgressInterval}") },
        { "--max-pixels", @"\[default: (?<n>\d+)\]", I($"{ImageLoadOptions.DefaultMaxPixels}") },
        { "--max-image-pixels", @"\[default: (?<n>\d+)\]", I($"{RuntimeOptions.DefaultMaxImagePixels}") },
        { "--coarse-to-fine", @"\(default: above (?<n>\d+) px\)", I($"{HighResolution.CoarseToFineThreshold}") },
        { "--coarse-to-fine", @"make the image at (?<n>\d+) px first", I($"{HighResolution.CoarseSize}") },
        { "--coarse-size", @"\(default (?<n>\d+)\)", I($"{HighResolution.CoarseSize}") },
    };

    [Theory]
    [MemberData(nameof(HelpDefaults))]
    public async Task The_help_states_the_default_the_tool_uses(string option, string pattern, string expected)
    {
        var help = await Help.Value;
        var line = help.Split('\n').SingleOrDefault(l => Regex.IsMatch(l, $@"^\s+(-\w, )?{Regex.Escape(option)}[ ,]"));
        line.Should().NotBeNull($"--help describes {option}");
        var match = Regex.Match(line!, pattern);
        match.Success.Should().BeTrue($"the help line of {option} states it (pattern {pattern}): {line}");
        match.Groups["n"].Value.Should().Be(expected, $"the help line of {option} says so and the code uses {expected}");
    }

    /// <summary>Each line of docs/cli.md's example of errors, and a command line that gives it.</summary>
    public static TheoryData<string, string[]> ErrorExamples => new()
    {
        { "unknown option '--colour-preserve'", ["--colour-preserve", "luminance"] },
        { "--iterations expects a whole number", ["--iterations", "abc"] },
        { "--size must be between", ["--size", "5"] },
        { "-o 'out/x.png'", ["-o", "out/x.png"] },
    };

    [Theory]
    [MemberData(nameof(ErrorExamples))]
    public async Task The_error_lines_docs_cli_md_shows_are_what_the_tool_prints(string start, string[] args)
    {
        var block = Regex.Match(DocsPromiseTests.Read("docs/cli.md"), @"```\n(?<lines>(neural-style: error: [^\n]*\n)+)```").Groups["lines"].Value;
        var documented = block.Split('\n').Single(l => l.StartsWith("neural-style: error: " + start, StringComparison.Ordinal));
        Directory.Exists("out").Should().BeFalse("the example needs a folder that does not exist");

        var (code, _, stderr) = await CliRunner.RunAsync([CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), .. args]);

        stderr.Trim().Replace(Path.GetFullPath("out"), "/home/me/out", StringComparison.Ordinal).Should().Be(documented);
        code.Should().Be(2, "docs/cli.md: what was given cannot be used");
    }

    private static string I(FormattableString value) => FormattableString.Invariant(value);
}
