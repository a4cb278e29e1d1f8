using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Stages;
using Xunit;

namespace NeuralStyle.Tests.Pipeline.Stages;

public sealed class StagePlanTests
{
    private static FeatureNetwork Network(StyleTransferOptions options) => FeatureNetwork.For(options);

    [Fact]
    public void A_plain_run_is_a_one_stage_plan_at_the_results_size()
    {
        var options = new StyleTransferOptions();
        var plan = StagePlan.Create(192, 256, options, Network(options), cuda: false);

        plan.Stages.Should().ContainSingle();
        plan.Stages[0].Should().Be(new PlannedStage(new ScaleStage(192, 256, 200, 1), null, 512));
        plan.DeepestLayer.Should().Be(7, "the default style layers end at fire5");
    }

    [Fact]
    public void The_deepest_layer_counts_content_layers_and_additional_losses()
    {
        using var deep = new NeuralStyle.Losses.ContentLoss(9, TorchSharp.torch.zeros(1), 1);
        FeatureNetwork.DeepestLayer(new StyleTransferOptions { ContentLayer = 8 }).Should().Be(8);
        FeatureNetwork.DeepestLayer(new StyleTransferOptions { AdditionalLosses = [deep] }).Should().Be(9);
    }

    [Fact]
    public void Coarse_to_fine_stages_grow_to_the_result_and_scale_the_style_with_them()
    {
        var options = new StyleTransferOptions { StyleSize = 64, HighResolution = new HighResolutionOptions { CoarseToFine = CoarseToFineMode.On, CoarseSize = 64 } };
        var plan = StagePlan.Create(256, 320, options, Network(options), cuda: false);

        plan.Stages.Select(s => (s.Stage.Height, s.Stage.Width)).Should().Equal((64, 80), (128, 160), (256, 320));
        plan.Stages.Select(s => s.StyleSide).Should().Equal(64, 128, 256);
        plan.Stages.Should().OnlyContain(s => s.TileSize == null);
    }

    [Fact]
    public void A_tile_size_tiles_the_stages_larger_than_it()
    {
        var options = new StyleTransferOptions { HighResolution = new HighResolutionOptions { CoarseToFine = CoarseToFineMode.On, CoarseSize = 64, TileSize = 96, TileOverlap = 16 } };
        var plan = StagePlan.Create(128, 160, options, Network(options), cuda: false);

        plan.Stages.Select(s => s.TileSize).Should().Equal(null, 96);
        plan.Stages[1].TileCount(16).Should().Be(4);
    }

    [Fact]
    public void A_memory_budget_tiles_with_the_largest_tile_that_fits_or_says_what_would()
    {
        var options = new StyleTransferOptions { HighResolution = new HighResolutionOptions { MaxMemoryBytes = 1200L << 20 } };
        var plan = StagePlan.Create(1024, 1365, options, Network(options), cuda: false);
        var tile = plan.Stages[^1].TileSize!.Value;
        tile.Should().BeGreaterThanOrEqualTo(HighResolutionOptions.MinimumTileSize(options.HighResolution.TileOverlap));
        plan.Estimate().CpuBytes.Should().BeLessThanOrEqualTo(1200L << 20);

        var tooSmall = options with { HighResolution = options.HighResolution with { MaxMemoryBytes = 64L << 20 } };
        FluentActions.Invoking(() => StagePlan.Create(1024, 1365, tooSmall, Network(tooSmall), cuda: false))
            .Should().Throw<InsufficientMemoryException>().WithMessage("*MaxMemoryBytes*allow at least*");
    }

    [Fact]
    public void Stages_that_backpropagate_through_one_graph_are_planned_with_the_larger_working_memory()
    {
        // SegmentedBackward takes the default network's own terms by stretches; an anchor, a tile's held pixels or a
        // caller's term make one graph, which keeps more (MemoryModel's two factors).
        var plain = new StyleTransferOptions { StyleSize = 256, HighResolution = new HighResolutionOptions { CoarseToFine = CoarseToFineMode.Off } };
        using var extra = new NeuralStyle.Losses.ContentLoss(3, TorchSharp.torch.zeros(1), 1);
        var withTerm = plain with { AdditionalLosses = [extra] };
        var whole = StagePlan.Create(576, 768, plain, Network(plain), cuda: false);
        var graph = StagePlan.Create(576, 768, withTerm, Network(withTerm), cuda: false);
        whole.Stages.Single().GraphAtOnce.Should().BeFalse();
        graph.Stages.Single().GraphAtOnce.Should().BeTrue();
        ((double)graph.Estimate().CpuBytes - MemoryModel.CpuFixedBytes).Should().BeApproximately(
            (whole.Estimate().CpuBytes - MemoryModel.CpuFixedBytes) * MemoryModel.CpuFactor / MemoryModel.CpuFactorByStretches, 1 << 20);

        var staged = plain with { HighResolution = new HighResolutionOptions { CoarseToFine = CoarseToFineMode.On, CoarseSize = 192 } };
        StagePlan.Create(576, 768, staged, Network(staged), cuda: false).Stages.Select(s => s.GraphAtOnce).Should().Equal(false, true, true);
        var unanchored = staged with { HighResolution = staged.HighResolution with { StageAnchorWeight = 0 } };
        StagePlan.Create(576, 768, unanchored, Network(unanchored), cuda: false).Stages.Should().OnlyContain(s => !s.GraphAtOnce);
        var tiled = plain with { HighResolution = new HighResolutionOptions { CoarseToFine = CoarseToFineMode.Off, TileSize = 256 } };
        StagePlan.Create(576, 768, tiled, Network(tiled), cuda: false).Stages.Single().GraphAtOnce.Should().BeTrue();
    }

    [Fact]
    public void The_smallest_tile_is_one_rule()
    {
        HighResolutionOptions.MinimumTileSize(16).Should().Be(64);
        HighResolutionOptions.MinimumTileSize(48).Should().Be(112);
        var options = new StyleTransferOptions { HighResolution = new HighResolutionOptions { TileOverlap = 48, TileSize = 111 } };
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("*TileSize*112*");
        (options with { HighResolution = options.HighResolution with { TileSize = 112 } }).Invoking(o => o.Validate()).Should().NotThrow();
    }
}
