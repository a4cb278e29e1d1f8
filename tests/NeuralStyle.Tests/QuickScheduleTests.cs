using System.CommandLine;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests;

/// <summary>
/// <see cref="StyleTransferPresets.Quick"/> and the command line's <c>--schedule quick</c>: L-BFGS for 40 iterations in place of
/// the seed's 200 Adam iterations, every other setting kept; on a real run it ends lower than the seed's schedule.
/// </summary>
public sealed class QuickScheduleTests
{
    public static TheoryData<string> Presets => [.. StyleTransferPresets.Names];

    [Theory]
    [MemberData(nameof(Presets))]
    public void Quick_replaces_only_the_optimiser_and_the_iterations(string name)
    {
        var preset = StyleTransferPresets.Get(name);

        var quick = StyleTransferPresets.Quick(preset);

        (quick.Optimizer.Kind, quick.Iterations).Should().Be((OptimizerKind.Lbfgs, 40));
        (quick with { Iterations = preset.Iterations, Optimizer = quick.Optimizer with { Kind = preset.Optimizer.Kind } }).Should().Be(preset);
        preset.Optimizer.Kind.Should().Be(OptimizerKind.Adam, "the seed's schedule stays the presets' default");
    }

    // At 160 px on the project's sample images, measured 2026-12-03: the quick pictures 2.3 % (The Scream), 4.5 %
    // (Composition VII) and 4.1 % (The Starry Night) lower. At 128 px The Scream's two schedules ended within 0.01 % of
    // each other (20,089 and 20,091), a margin that the order of a kernel's additions decides, so that size is not used.
    [Theory]
    [InlineData("the_scream", 160)]
    [InlineData("composition_vii", 160)]
    [InlineData("starry_night", 160)]
    public async Task The_quick_schedule_ends_lower_than_the_seed_schedule_in_a_quarter_of_the_iterations(string name, int size)
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var seed = StyleTransferPresets.Get(name) with { ImageSize = size, StyleSize = size, Runtime = ControlsKit.Small(1).Runtime, Weights = ControlsKit.Small(1).Weights };
        var quick = StyleTransferPresets.Quick(seed);

        using var bySeed = await StyleTransfer.RunAsync(content, style, seed, cancellationToken: TestContext.Current.CancellationToken);
        using var byQuick = await StyleTransfer.RunAsync(content, style, quick, cancellationToken: TestContext.Current.CancellationToken);
        var (seedLoss, quickLoss) = (await LossOf(bySeed.Image, content, style, seed), await LossOf(byQuick.Image, content, style, seed));

        ControlsKit.Log($"{name} at {size} px: seed schedule (Adam, 200) {seedLoss:F0}, quick (L-BFGS, 40) {quickLoss:F0}");
        (bySeed.Iterations, byQuick.Iterations).Should().Be((200, 40));
        quickLoss.Should().BeLessThan(seedLoss, "the quick schedule's picture has the lower loss");
    }

    [Fact]
    public void The_command_line_spells_it_schedule_quick_and_explicit_flags_still_win()
    {
        Parse("c.png", "s.png", "--schedule", "quick").Should().Match<StyleTransferOptions>(o => o.Optimizer.Kind == OptimizerKind.Lbfgs && o.Iterations == 40);
        Parse("c.png", "s.png", "--schedule", "quick", "--iterations", "30").Iterations.Should().Be(30);
        Parse("c.png", "s.png", "--schedule", "quick", "--optimizer", "adam").Optimizer.Kind.Should().Be(OptimizerKind.Adam);
        Parse("c.png", "s.png").Should().Match<StyleTransferOptions>(o => o.Optimizer.Kind == OptimizerKind.Adam && o.Iterations == 200);

        var typo = Root(out _).Parse(["c.png", "s.png", "--schedule", "quik"]);
        typo.Errors.Select(e => e.Message).Should().ContainSingle().Which.Should().Contain("--schedule").And.Contain("quick");
    }

    /// <summary>The loss of a finished 8-bit picture under <paramref name="options"/>: a run of no iterations that starts from it.</summary>
    private static async Task<double> LossOf(SkiaSharp.SKBitmap picture, SkiaSharp.SKBitmap content, SkiaSharp.SKBitmap style, StyleTransferOptions options)
    {
        var evaluate = options with { Iterations = 0, Initialization = Initialization.Image, InitialImage = picture };
        using var result = await StyleTransfer.RunAsync(content, style, evaluate, cancellationToken: TestContext.Current.CancellationToken);
        return result.FinalLosses.Total;
    }

    private static RootCommand Root(out StyleOptions options)
    {
        options = new StyleOptions();
        var root = new RootCommand();
        options.AddTo(root);
        return root;
    }

    private static StyleTransferOptions Parse(params string[] args)
    {
        var parse = Root(out var options).Parse(args);
        parse.Errors.Should().BeEmpty();
        return options.ToOptions(parse);
    }
}
