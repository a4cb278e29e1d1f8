using System.Linq;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Objective;
using NeuralStyle.Pipeline.Stages;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline.Stages;

public sealed class StageRunnerTests
{
    private static readonly StyleTransferOptions Options = new()
    {
        ContentLayer = 3,
        StyleLayers = [1, 3, 5],
        StyleWeights = [1e4, 1e4, 1e4],
        Iterations = 6,
        Optimizer = new OptimizerOptions { ProgressInterval = 1, LearningRate = 0.02, ClampBound = null },
    };

    [Fact]
    public void The_whole_image_runner_optimises_the_stage_against_the_objective()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyConvNet();
        var (request, log) = Request(network, 40, 48, new RegionMasks(null, null));

        var (image, losses) = WholeImageStage.Instance.Run(request);
        using var _ = image;

        image.shape.Should().Equal(1, 3, 40, 48);
        losses.Terms.Keys.Should().BeEquivalentTo("content", "style", "tv");
        log.Reports.Should().HaveCount(6);
        log.Reports[^1].Losses.Style.Should().BeLessThan(log.Reports[0].Losses.Style);
    }

    [Fact]
    public void The_tiled_runner_keeps_the_content_outside_the_region_and_reports_every_tile()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyConvNet();
        var region = zeros(1, 1, 72, 96);
        region[TensorIndex.Ellipsis, TensorIndex.Slice(48, 96)] = ones(1, 1, 72, 48);
        var (request, log) = Request(network, 72, 96, new RegionMasks(region, null));

        var (image, losses) = new TiledStage(64, 16, 1).Run(request);
        using var _ = image;

        image.shape.Should().Equal(1, 3, 72, 96);
        var left = TensorIndex.Slice(0, 48);
        Tensors.Identical(image[TensorIndex.Ellipsis, left], request.Content[TensorIndex.Ellipsis, left]).Should().BeTrue("pixels outside the region are held");
        image[TensorIndex.Ellipsis, TensorIndex.Slice(48, 96)].sub(request.Content[TensorIndex.Ellipsis, TensorIndex.Slice(48, 96)]).abs().mean().item<float>()
            .Should().BeGreaterThan(0.01f, "pixels inside are optimised");
        log.Reports.Select(r => r.Tile).Distinct().Should().Equal(1, 2, 3, 4);
        log.Reports[^1].Iteration.Should().Be(24, "four tiles of six iterations");
        losses.Terms.Keys.Should().Contain("style");
    }

    private static (StageRequest Request, ProgressLog Log) Request(TinyConvNet network, int height, int width, RegionMasks masks)
    {
        var factory = new ObjectiveFactory(network, Options);
        var content = rand(new long[] { 1, 3, height, width }, generator: new Generator(1, CPU)).mul(2).sub(1);
        var targets = factory.Targets([rand(new long[] { 1, 3, 32, 32 }, generator: new Generator(2, CPU)).mul(2).sub(1)], masks);
        var log = new ProgressLog();
        return (new StageRequest(factory, Options, Options.Optimizer, Options.Iterations, content, targets, masks, StageWeights.None, content, [], null, log, CancellationToken.None), log);
    }
}
