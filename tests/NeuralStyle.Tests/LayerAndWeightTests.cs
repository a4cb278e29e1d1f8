using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests;

public sealed class LayerAndWeightTests
{
    [Fact]
    public void Layers_are_found_by_index_or_name()
    {
        SqueezeNetFeatureExtractor.LayerIndices("conv1", "relu1", "POOL1", "fire2", "6", " fire9 ").Should().Equal(0, 1, 2, 3, 6, 12);
        SqueezeNetFeatureExtractor.ParseLayer("pool5").Should().Be(8);
        var act = () => SqueezeNetFeatureExtractor.ParseLayer("13");
        act.Should().Throw<ArgumentException>().WithMessage("*0 to 12*");
        act = () => SqueezeNetFeatureExtractor.ParseLayer("fire10");
        act.Should().Throw<ArgumentException>().WithMessage("*fire10*fire9*");
    }

    [Fact]
    public void Default_weights_resolve_to_the_preset()
    {
        var preset = StyleTransferPresets.TheScream;
        preset.ResolveContentLayers().Should().Equal(new LayerWeight(3, 3e-2));
        preset.ResolveStyleLayers().Should().Equal(new LayerWeight(1, 200000), new LayerWeight(4, 800), new LayerWeight(6, 12), new LayerWeight(7, 1));
    }

    [Fact]
    public void Style_strength_and_normalisation_scale_the_style_weights_only()
    {
        var options = new StyleTransferOptions { StyleLayers = [1, 4], StyleWeights = [300, 100] };
        (options with { StyleStrength = 2 }).ResolveStyleLayers().Select(l => l.Weight).Should().Equal(600, 200);
        (options with { StyleStrength = 0 }).ResolveStyleLayers().Select(l => l.Weight).Should().Equal(0, 0);
        (options with { NormalizeStyleWeightsTo = 1 }).ResolveStyleLayers().Select(l => l.Weight).Should().Equal(0.75, 0.25);
        (options with { NormalizeStyleWeightsTo = 8, StyleStrength = 0.5 }).ResolveStyleLayers().Select(l => l.Weight).Should().Equal(3, 1);
        (options with { StyleStrength = 2 }).ResolveContentLayers().Should().Equal(new LayerWeight(3, 5e-2));
        (options with { ContentLayers = [3, 6], ContentLayerWeights = [1, 0.5], ContentWeight = 2 }).ResolveContentLayers()
            .Should().Equal(new LayerWeight(3, 2), new LayerWeight(6, 1));
    }

    [Fact]
    public async Task A_content_layer_list_of_one_is_the_single_content_layer()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = ControlsKit.Small(iterations: 3);
        using var single = await ControlsKit.Run(content, style, options);
        using var list = await ControlsKit.Run(content, style, options with { ContentLayer = 7, ContentLayers = [3], ContentLayerWeights = [1] });
        list.Image.Bytes.Should().Equal(single.Image.Bytes);
    }

    [Fact]
    public async Task Several_content_layers_add_their_weighted_terms_and_strength_scales_the_style_term()
    {
        // No iterations: the final losses are those of the (noise) start image, so the terms can be compared exactly.
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = ControlsKit.Small(iterations: 0) with { Initialization = Initialization.Noise };
        using var fire2 = await ControlsKit.Run(content, style, options with { ContentLayers = [3] });
        using var fire4 = await ControlsKit.Run(content, style, options with { ContentLayers = [SqueezeNetFeatureExtractor.LayerIndex("fire4")] });
        using var both = await ControlsKit.Run(content, style, options with { ContentLayers = [3, 6], ContentLayerWeights = [1, 0.5] });
        both.FinalLosses.Content.Should().BeApproximately(fire2.FinalLosses.Content + (0.5 * fire4.FinalLosses.Content), both.FinalLosses.Content * 1e-5);

        using var strong = await ControlsKit.Run(content, style, options with { StyleStrength = 2.5 });
        using var none = await ControlsKit.Run(content, style, options with { StyleStrength = 0 });
        using var normalised = await ControlsKit.Run(content, style, options with { NormalizeStyleWeightsTo = 20513 }); // Σ 20000, 500, 12, 1
        strong.FinalLosses.Style.Should().BeApproximately(2.5 * fire2.FinalLosses.Style, fire2.FinalLosses.Style * 1e-5);
        none.FinalLosses.Style.Should().Be(0);
        none.FinalLosses.Content.Should().Be(fire2.FinalLosses.Content, "the strength leaves the content weight alone");
        normalised.FinalLosses.Style.Should().BeApproximately(fire2.FinalLosses.Style, fire2.FinalLosses.Style * 1e-9);
    }

    [Fact]
    public async Task Style_layers_by_name_are_the_right_layers_and_each_weight_scales_its_own_term()
    {
        // No iterations: the final losses are those of the start image, so each layer's term can be isolated exactly.
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = ControlsKit.Small(iterations: 0);
        var named = SqueezeNetFeatureExtractor.LayerIndices("fire3", "pool3", "fire5");
        named.Should().Equal(4, 5, 7);

        async Task<double> StyleLoss(int[] layers, double[] weights)
        {
            using var result = await ControlsKit.Run(content, style, options with { StyleLayers = layers, StyleWeights = weights });
            return result.FinalLosses.Style;
        }

        var fire3 = await StyleLoss([4], [1]);
        var pool3 = await StyleLoss([5], [1]);
        var fire5 = await StyleLoss([7], [1]);
        var byName = await StyleLoss(named, [1000, 100, 10]);
        var fire3Raised = await StyleLoss(named, [1000, 300, 10]);

        new[] { fire3, pool3, fire5 }.Should().OnlyContain(t => t > 0).And.OnlyHaveUniqueItems("three different layers");
        byName.Should().BeApproximately((1000 * fire3) + (100 * pool3) + (10 * fire5), byName * 1e-5, "the named layers, each with its own weight");
        (fire3Raised - byName).Should().BeApproximately(200 * pool3, 200 * pool3 * 1e-3, "raising pool3's weight by 200 adds 200 times its term and nothing else");
    }
}
