using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.Pipeline;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// The backward pass one stretch of the network at a time (<see cref="SegmentedBackward"/>) gives autograd's gradient of the
/// same terms built as graphs, for the presets' layers, layer 0 (never cut), content at the top, masks, a batch and either
/// memory layout; and it is used only where every term hands its gradients over.
/// </summary>
public sealed class SegmentedBackwardTests
{
    [Theory]
    [InlineData(new[] { 1, 4, 6, 7 }, 3, false, 1, true)] // the presets: cut after every layer below 7
    [InlineData(new[] { 0, 2, 5 }, 5, false, 1, true)] // layer 0 is read but not cut; the content is at the top; a term reads the pool's output
    [InlineData(new[] { 1, 8 }, 6, false, 1, true)] // pool5 at the top, taken by hand; pool3 read by no term, taken by hand
    [InlineData(new[] { 5, 9 }, 7, true, 2, true)] // up to fire6 (autograd) over pool5; a term at pool3; a mask and a batch
    [InlineData(new[] { 1, 4, 6, 7 }, 3, true, 1, true)] // a style mask
    [InlineData(new[] { 1, 4, 7 }, 1, false, 2, true)] // a batch of two; content and style at the same cut
    [InlineData(new[] { 1, 4, 6, 7 }, 3, false, 1, false)] // contiguous memory: nothing by hand
    [InlineData(new[] { 4, 7 }, 3, false, 1, true)] // nothing read at the stem: the pool's gradient alone goes down
    [InlineData(new[] { 1 }, 2, false, 1, true)] // the last layer is the first pool: the pool is not taken by hand
    public void A_backward_pass_by_stretches_gives_autograd_s_gradient(int[] styleLayers, int contentLayer, bool masked, int batch, bool channelsLast)
    {
        using var contiguous = channelsLast ? null : SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights);
        if (contiguous is not null)
        {
            contiguous.ChannelsLast = false;
        }

        var extractor = contiguous ?? Extractors.Cpu;
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(5);
        var image = rand([batch, 3, 56, 64], generator: generator).sub(0.5).mul(4);
        var style = rand([1, 3, 56, 64], generator: generator).sub(0.5).mul(4);
        var last = styleLayers.Append(contentLayer).Max();
        var losses = Losses(extractor, image, style, last, styleLayers, contentLayer, masked ? rand([1, 1, 56, 64], generator: generator) : null);
        try
        {
            var bySegments = SegmentedBackward.For(extractor, losses, last);
            bySegments.Should().NotBeNull();
            // Where the stem's gradient is taken by hand (channels-last on a CPU with the vectors), layer 1 is always cut; where
            // the pool's is too (a layer above the pool read), layer 2 as well.
            bySegments!.StemByHand.Should().Be(extractor.TakesStemGradientByHand);
            bySegments.PoolByHand.Should().Be(extractor.TakesStemGradientByHand && last > 2);
            // Every Fire module up to the last layer is taken by hand with the pool (layers 3, 4, 6, 7 in reach), each a
            // stretch of its own.
            int[] fires = bySegments.PoolByHand ? [.. new[] { 3, 4, 6, 7 }.Where(f => f <= last)] : [];
            bySegments.Fires.Should().Equal(fires);
            // So is the max-pool over each of them (pool3 over fire3, pool5 over fire5), its own stretch too.
            int[] pools = [.. new[] { 5, 8 }.Where(p => fires.Contains(p - 1) && p <= last)];
            bySegments.Pools.Should().Equal(pools);
            int[] byHand = bySegments.PoolByHand ? [1, 2] : bySegments.StemByHand ? [1] : [];
            bySegments.Cuts.Should().Equal(styleLayers.Append(contentLayer).Concat(byHand).Concat(fires).Concat(fires.Select(f => f - 1)).Concat(pools)
                .Where(l => l > 0 && l < last).Distinct().OrderDescending());

            var x = image.clone().requires_grad_();
            Tensor expectedTotal, expected;
            using (var features = extractor.Extract(x, last))
            {
                expectedTotal = losses.Select(l => l.Compute(features)).Aggregate((a, b) => a.add(b));
                expected = torch.autograd.grad([expectedTotal], [x])[0];
            }

            var y = image.clone().requires_grad_();
            Tensor? gradient = null;
            var terms = bySegments.Run(y, (features, handOff) => [.. losses.Select(l => l.Compute(features, handOff))],
                (roots, gradients) => gradient = torch.autograd.grad(roots, [y], gradients)[0]);

            var total = terms.Aggregate((a, b) => a.add(b)).item<float>();
            total.Should().BeApproximately(expectedTotal.item<float>(), 1e-5f * System.Math.Abs(expectedTotal.item<float>()));
            gradient.Should().NotBeNull();
            var scale = expected.abs().max().item<float>();
            scale.Should().BeGreaterThan(0);
            gradient!.sub(expected).norm().item<float>().Should().BeLessThan(1e-5f * expected.norm().item<float>());
            gradient.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-4f * scale);
        }
        finally
        {
            foreach (var loss in losses)
            {
                loss.Dispose();
            }
        }
    }

    [Fact]
    public void An_adam_step_takes_the_gradient_formed_by_hand_over_and_moves_the_pixels_as_autograd_s_gradient_would()
    {
        var extractor = Extractors.Cpu;
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(11);
        var image = rand([1, 3, 56, 64], generator: generator).sub(0.5).mul(4);
        var style = rand([1, 3, 56, 64], generator: generator).sub(0.5).mul(4);
        var losses = Losses(extractor, image, style, 7, [1, 4, 6, 7], 3, null);
        try
        {
            // Autograd's gradient of the same terms built as graphs, and Adam's step with it.
            using var expectedPixels = OptimizationSteps.CreatePixels(image);
            using var expectedAdam = OptimizationSteps.CreateAdam(expectedPixels, 0.5);
            using (var features = extractor.Extract(expectedPixels, 7))
            {
                var total = losses.Select(l => l.Compute(features)).Aggregate((a, b) => a.add(b));
                using var gradient = torch.autograd.grad([total], [expectedPixels])[0];
                expectedAdam.Step(gradient);
            }

            using var pixels = OptimizationSteps.CreatePixels(image);
            using var adam = OptimizationSteps.CreateAdam(pixels, 0.5);
            using var steps = new OptimizationSteps(extractor, losses, 1);
            steps.AdamStep(adam, pixels);

            // Where the stem's gradient is taken by hand, the pass forms the pixels' whole gradient and Adam takes it over:
            // autograd's engine never runs for the pixels, which so have no grad.
            using (var grad = pixels.grad)
            {
                (grad is null).Should().Be(extractor.TakesStemGradientByHand);
            }

            adam.Steps.Should().Be(1);
            var moved = expectedPixels.sub(image).abs().max().item<float>();
            moved.Should().BeGreaterThan(0.1f);
            pixels.sub(expectedPixels).abs().max().item<float>().Should().BeLessThan(1e-4f * moved);
        }
        finally
        {
            foreach (var loss in losses)
            {
                loss.Dispose();
            }
        }
    }

    [Fact]
    public void Gradients_at_other_roots_than_the_pixels_go_through_autograd_into_their_grad()
    {
        using var scope = NewDisposeScope();
        using var pixels = OptimizationSteps.CreatePixels(ones(1, 3, 4, 4));
        var doubled = pixels.mul(2);

        var taken = OptimizationSteps.TakeOrBackward(pixels, [doubled], [full([1, 3, 4, 4], 3f)]);

        taken.Should().BeNull();
        using var grad = pixels.grad!;
        grad.sum().item<float>().Should().Be(6 * 48, "autograd carried 3 through ×2 into grad");

        using var given = full([1, 3, 4, 4], 5f);
        using var over = OptimizationSteps.TakeOrBackward(pixels, [pixels], [given])!;
        over.sum().item<float>().Should().Be(5 * 48);
        given.Dispose();
        over.sum().item<float>().Should().Be(5 * 48, "the view taken over outlives the pass's own handle");
        using var unchanged = pixels.grad!;
        unchanged.sum().item<float>().Should().Be(6 * 48, "autograd did not run for the gradient taken over");
    }

    [Fact]
    public void It_is_not_used_where_a_term_builds_a_graph_or_the_extractor_is_another()
    {
        using var scope = NewDisposeScope();
        using var style = new StyleLoss([1, 4], [ones(64, 64), ones(128, 128)], [1, 1]);
        using var tv = new TotalVariationLoss(1);
        using var tiny = new TinyConvNet();
        using var graph = new ImageMeanLoss();

        SegmentedBackward.For(Extractors.Cpu, [style, tv], 4)!.Cuts.Should().Equal(Extractors.Cpu.TakesStemGradientByHand ? [3, 2, 1] : [1]);
        SegmentedBackward.For(Extractors.Cpu, [style, tv], 2)!.Cuts.Should().Equal(1);
        SegmentedBackward.For(Extractors.Cpu, [style, tv, graph], 4).Should().BeNull("a term with a graph could cross a cut");
        SegmentedBackward.For(tiny, [style, tv], 4).Should().BeNull("only the SqueezeNet extractor can cut its graph");
        SegmentedBackward.For(Extractors.Cpu, [tv], 0).Should().BeNull("nothing to cut");
    }

    [Fact]
    public void A_deferred_gradient_is_formed_only_when_taken_and_its_inputs_are_freed()
    {
        using var scope = NewDisposeScope();
        var formed = 0;
        Tensor input;
        using (var handOff = new LayerGradients(defers: true))
        {
            using (NewDisposeScope())
            {
                input = ones(2, 3);
                handOff.Defer(4, [input], t => { formed++; return t[0].mul(2); });
            }

            handOff.Add(4, ones(2, 3));
            handOff.Layers.Should().Equal(4);
            formed.Should().Be(0);
            using var taken = handOff.Take(4)!;
            formed.Should().Be(1);
            taken.sum().item<float>().Should().Be(18, "the formed gradient (2 each) and the one added (1 each)");
            input.IsInvalid.Should().BeTrue("the deferred gradient's inputs are disposed once it is formed");
            handOff.Take(4).Should().BeNull();
        }
    }

    private static List<LossBase> Losses(SqueezeNetFeatureExtractor extractor, Tensor image, Tensor style, int last, int[] styleLayers, int contentLayer, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var styleFeatures = extractor.Extract(style, last);
        using var contentFeatures = extractor.Extract(image.add(0.3), last);
        var grams = styleLayers.Select(l => GramMatrix.Compute(styleFeatures[l])[0]).ToArray();
        double[] weights = [.. styleLayers.Select((_, i) => 2000.0 / (i + 1))];
        return
        [
            new StyleLoss(styleLayers, grams, weights, mask),
            new ContentLoss(contentLayer, contentFeatures[contentLayer], 0.5),
            new TotalVariationLoss(0.05),
        ];
    }

    /// <summary>A term that builds a graph: the image's mean.</summary>
    private sealed class ImageMeanLoss() : LossBase("mean", [])
    {
        protected override Tensor ComputeCore(FeatureMaps features) => features.Image.mean();
    }
}
