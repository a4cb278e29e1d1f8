using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Objective;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline.Objective;

public sealed class ObjectiveFactoryTests
{
    private static readonly StyleTransferOptions Options = new() { ContentLayer = 3, StyleLayers = [1, 5], StyleWeights = [10, 20], TotalVariationWeight = 0.5 };

    [Fact]
    public void Terms_come_in_a_fixed_order_with_the_callers_last()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyConvNet();
        using var extra = new TotalVariationLoss(1);
        var options = Options with { AdditionalLosses = [extra] };
        var factory = new ObjectiveFactory(network, options);
        var content = rand(1, 3, 16, 16);
        using var targets = factory.Targets([rand(1, 3, 16, 16)], new RegionMasks(null, null));
        using var anchor = factory.Anchor([(rand(1, 3, 8, 8), 2.0)]);
        anchor.Should().NotBeNull();
        var objective = factory.Create(content, targets, new RegionMasks(null, null), StageWeights.None, anchor: anchor);

        objective.Terms.Select(t => t.Name).Should().Equal("content", "style", "tv", "anchor", "tv");
        objective.Terms[^1].Should().BeSameAs(extra, "the caller's term is used as it is");
        objective.Owned.Should().NotContain(extra, "the caller's term is not disposed by the pipeline");
        objective.Terms.OfType<StyleLoss>().Single().Weights.Should().Equal(10, 20);
        objective.Owned.Should().Contain(anchor!);
        objective.Dispose();
    }

    [Fact]
    public void Stage_weights_scale_content_and_smoothness_but_not_style()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyConvNet();
        var factory = new ObjectiveFactory(network, Options);
        var content = rand(1, 3, 16, 16);
        using var targets = factory.Targets([rand(1, 3, 16, 16)], new RegionMasks(null, null));
        using var objective = factory.Create(content, targets, new RegionMasks(null, null), StageWeights.ForScale(2));

        objective.Terms.OfType<ContentLoss>().Single().Weight.Should().Be(Options.ContentWeight / 4);
        objective.Terms.OfType<StyleLoss>().Single().Weights.Should().Equal(10, 20);
        using var features = network.Extract(content, 5);
        var expectedTv = new TotalVariationLoss(Options.TotalVariationWeight / 4);
        objective.Terms.Single(t => t.Name == "tv").Compute(features).item<float>().Should().BeApproximately(expectedTv.Compute(features).item<float>(), 1e-4f);
        expectedTv.Dispose();
    }

    [Fact]
    public void A_tile_takes_its_share_of_each_styles_region_and_drops_styles_it_does_not_hold()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyConvNet();
        var factory = new ObjectiveFactory(network, Options with { StyleBlendWeights = [1, 1] });
        var left = zeros(1, 1, 16, 32);
        left[TensorIndex.Ellipsis, TensorIndex.Slice(0, 16)] = ones(1, 1, 16, 16);
        var right = left.flip(3);
        var whole = new RegionMasks(ones(1, 1, 16, 32), [left, right]);
        using var targets = factory.Targets([rand(1, 3, 16, 16), rand(1, 3, 16, 16)], whole);
        targets.PerStyle.Should().HaveCount(2);

        // The tile covers columns 0–19: all of the left style's region and 4 of the right's 16 columns.
        var tileMasks = whole.Slice(0, 0, 16, 20);
        using var objective = factory.Create(rand(1, 3, 16, 20), targets, tileMasks, StageWeights.None, new TilePart(20.0 / 32, whole));
        var styles = objective.Terms.OfType<StyleLoss>().ToArray();
        styles.Should().HaveCount(2);
        styles[0].Weights[0].Should().BeApproximately(10 * 1.0, 1e-6, "the left region lies wholly in the tile");
        styles[1].Weights[0].Should().BeApproximately(10 * 0.25, 1e-6, "a quarter of the right region lies in the tile");

        using var leftOnly = factory.Create(rand(1, 3, 16, 12), targets, whole.Slice(0, 0, 16, 12), StageWeights.None, new TilePart(12.0 / 32, whole));
        leftOnly.Terms.OfType<StyleLoss>().Should().ContainSingle("a style whose region misses the tile has no term there");
        styles.Should().OnlyContain(s => s.IsMasked);
    }
}
