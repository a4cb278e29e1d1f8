using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Pipeline;

/// <summary>The pipeline reads its network from the options: a second, random-weight network runs end to end through RunAsync.</summary>
public sealed class PluggableExtractorTests
{
    public static TheoryData<RunKind> Kinds => new() { RunKind.Whole, RunKind.CoarseToFine, RunKind.Tiled };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_callers_network_runs_end_to_end(RunKind kind)
    {
        using var network = new TinyConvNet();
        var options = RunKinds.Options(kind, iterations: 10) with
        {
            ContentLayer = 3,
            StyleLayers = [1, 3, 5],
            StyleWeights = [1e4, 1e4, 1e4],
            Optimizer = RunKinds.Options(kind, iterations: 10).Optimizer with { LearningRate = 0.02 },
            HighResolution = RunKinds.Options(kind, iterations: 10).HighResolution with { FineLearningRate = 0.02 },
            Runtime = RunKinds.Options(kind, iterations: 10).Runtime with { FeatureExtractor = network },
            Weights = RunKinds.Options(kind, iterations: 10).Weights with { Path = "/nonexistent/never-read.safetensors" },
        };
        var (results, log, _) = await RunKinds.RunAsync(kind, options);

        (results[0].Width, results[0].Height).Should().Be(kind == RunKind.Tiled ? (96, 72) : (85, 64));
        network.Forwards.Should().BeGreaterThan(10, "every forward pass went through the caller's network");
        var reports = log.Reports;
        reports.Select(r => r.StageCount).Distinct().Should().Equal(kind == RunKind.CoarseToFine ? 2 : 1);
        if (kind == RunKind.Tiled)
        {
            reports.Select(r => r.Tile).Distinct().Should().HaveCount(4);
        }

        var lastStage = reports.Where(r => r.Stage == reports[^1].Stage && r.Tile == reports[^1].Tile).ToArray();
        lastStage[^1].Losses.Style.Should().BeLessThan(lastStage[0].Losses.Style, "the style term of the caller's network falls");
    }

    [Fact]
    public void Layers_and_memory_come_from_the_callers_network()
    {
        using var network = new TinyConvNet();
        var options = new StyleTransferOptions { ContentLayer = 3, StyleLayers = [1, 5], StyleWeights = [1, 1], Runtime = new RuntimeOptions { FeatureExtractor = network } };

        options.Invoking(o => o.Validate()).Should().NotThrow("layer 5 exists in the six-layer network");
        var deep = options with { StyleLayers = [1, 7] };
        deep.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().Contain("StyleTransferOptions.StyleLayers").And.Contain("tiny-conv");
        (new StyleTransferOptions() with { StyleLayers = [1, 7], StyleWeights = [1, 1] }).Invoking(o => o.Validate()).Should().NotThrow("SqueezeNet has layer 7");

        var small = StyleTransfer.EstimateMemory(256, 256, options);
        var large = StyleTransfer.EstimateMemory(1024, 1024, options);
        large.CpuBytes.Should().BeGreaterThan(8 * (small.CpuBytes - (24L << 20)), "the measured activations grow with the area");
        var budget = StyleTransfer.EstimateMemory(1024, 1024, options with { HighResolution = options.HighResolution with { MaxMemoryBytes = large.CpuBytes / 2, CoarseToFine = CoarseToFineMode.Off } });
        budget.Tiles.Should().BeGreaterThan(1, "a budget below the whole image's need tiles it");
    }
}
