using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Losses;

/// <summary>
/// In an optimisation step the content, style and total-variation terms hand their gradients to the backward pass
/// (<see cref="LayerGradients"/>) and return their values without a graph. The gradients must be autograd's on the
/// written-out formulas, in the inputs' memory layout.
/// </summary>
public sealed class HandedOffGradientTests
{
    /// <summary>
    /// For an optimisation step the loss hands its gradient to the backward pass (<see cref="LayerGradients"/>) and returns
    /// its value without a graph: the gradients must be autograd's on the formula, in the features' layout, and two terms
    /// on one layer must add up.
    /// </summary>
    [Theory]
    [MemberData(nameof(StyleGradientTests.Cases), MemberType = typeof(StyleGradientTests))]
    public void Handed_off_gradients_match_autograd_on_the_formula(bool masked, bool normalize, int batch, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var (targets, mask, features, maps) = GradientProblem.Create(seed: 5, masked, batch, channelsLast);
        using var first = new StyleLoss([0, 1], targets, [3.5, 0.25], mask, normalize);
        using var second = new StyleLoss([1], [targets[1].t()], [0.5], mask, normalize);
        using var handOff = new LayerGradients();

        var values = new[] { first.Compute(maps, handOff), second.Compute(maps, handOff) };

        var reference = zeros(1);
        for (var i = 0; i < features.Length; i++)
        {
            reference = reference.add(PlainGram.Of(features[i], mask, normalize).sub(targets[i]).square().sum().mul(i == 0 ? 3.5 : 0.25));
        }

        var secondReference = PlainGram.Of(features[1], mask, normalize).sub(targets[1].t()).square().sum().mul(0.5);
        var expected = TorchSharp.torch.autograd.grad([reference.add(secondReference)], features);
        values.Should().OnlyContain(v => !v.requires_grad, "a handed-off term has no graph");
        values[0].item<float>().Should().BeApproximately(reference.item<float>(), 1e-5f * reference.item<float>());
        values[1].item<float>().Should().BeApproximately(secondReference.item<float>(), 1e-5f * secondReference.item<float>());
        handOff.Layers.Should().Equal(0, 1);
        var gradients = handOff.Gradients.ToArray();
        for (var i = 0; i < features.Length; i++)
        {
            var scale = expected[i].abs().max().item<float>();
            expected[i].sub(gradients[i]).abs().max().item<float>().Should().BeLessThan(1e-5f * scale, $"layer {i}");
            gradients[i].stride().Should().Equal(features[i].stride(), "the gradient keeps the features' layout");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_content_term_hands_off_twice_its_weighted_difference(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(9);
        var feature = randn([1, 8, 7, 9], generator: generator);
        var target = randn([1, 8, 7, 9], generator: generator);
        if (channelsLast)
        {
            feature = feature.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            target = target.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        feature = feature.requires_grad_();
        var maps = new FeatureMaps(zeros(1, 3, 4, 4), [feature]);
        using var loss = new ContentLoss(0, target, 0.75);
        using var handOff = new LayerGradients();

        var value = loss.Compute(maps, handOff);

        var reference = loss.Compute(maps);
        var expected = TorchSharp.torch.autograd.grad([reference], [feature])[0];
        value.requires_grad.Should().BeFalse();
        value.item<float>().Should().BeApproximately(reference.item<float>(), 1e-5f * reference.item<float>());
        var gradient = handOff.Gradients.Single();
        gradient.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * expected.abs().max().item<float>());
        gradient.stride().Should().Equal(feature.stride());
    }

    [Theory]
    [InlineData(1, 9, 11, false)]
    [InlineData(2, 9, 11, false)]
    [InlineData(1, 9, 11, true)]
    [InlineData(1, 1, 7, false)]
    [InlineData(1, 6, 1, false)]
    [InlineData(1, 17, 40, true)]
    [InlineData(2, 5, 37, false)]
    [InlineData(2, 2, 2, true)]
    [InlineData(1, 1, 1, true)]
    public void The_total_variation_term_hands_off_its_gradient_to_the_image(int batch, int h, int w, bool channelsLast)
    {
        // Every case is one the CPU kernel takes (TotalVariationKernel); the value and gradient are checked against the
        // libtorch formula and autograd.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(13);
        var image = randn([batch, 3, h, w], generator: generator);
        if (channelsLast)
        {
            image = image.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        image = image.requires_grad_();
        TotalVariationKernel.Applies(image).Should().BeTrue();
        HandsOffAutogradsTotalVariationGradient(image, 0.6, laidOutAsImage: true);
    }

    /// <summary>Rows split over libtorch's OpenMP team give the value and gradient of one thread, bit for bit.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_total_variation_kernel_split_over_libtorch_s_team_is_the_same_bit_for_bit(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var image = randn([2, 3, 130, 101], generator: new TorchSharp.torch.Generator(31));
        if (channelsLast)
        {
            image = image.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        image.numel().Should().BeGreaterThan(NeuralStyle.Internal.OpenMpTeam.SplitFromValues);
        (double Value, Tensor Gradient) Run(int threads) => TestSupport.LibtorchThreads.Run(threads, () =>
        {
            var (value, gradient) = TotalVariationKernel.Compute(image, 0.6);
            return (value, gradient.DetachFromDisposeScope());
        });

        var (one, two) = (Run(1), Run(2));
        using (one.Gradient)
        using (two.Gradient)
        {
            two.Value.Should().Be(one.Value);
            two.Gradient.eq(one.Gradient).all().item<bool>().Should().BeTrue();
            two.Gradient.stride().Should().Equal(image.stride());
        }
    }

    /// <summary>Images the kernel does not take (another type, a strided view) still hand off libtorch's gradient.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Images_the_kernel_does_not_take_hand_off_the_same_gradient(bool doublePrecision)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(17);
        // A double image, or the left half of a wider one (rows 18 values apart).
        var image = doublePrecision
            ? randn([1, 3, 8, 9], float64, generator: generator).requires_grad_()
            : randn([1, 3, 8, 18], generator: generator).requires_grad_().narrow(3, 0, 9);
        TotalVariationKernel.Applies(image).Should().BeFalse();
        HandsOffAutogradsTotalVariationGradient(image, 1.5, laidOutAsImage: false);
    }

    // The term's value and handed-off gradient against the libtorch formula's value and autograd's gradient; the gradient
    // in the image's memory layout where that is asked for.
    private static void HandsOffAutogradsTotalVariationGradient(Tensor image, double weight, bool laidOutAsImage)
    {
        var maps = new FeatureMaps(image, [image.relu()]);
        using var loss = new TotalVariationLoss(weight);
        using var handOff = new LayerGradients();

        var value = loss.Compute(maps, handOff);

        var reference = loss.Compute(maps);
        var expected = TorchSharp.torch.autograd.grad([reference], [image])[0];
        value.requires_grad.Should().BeFalse();
        Number(value).Should().BeApproximately(Number(reference), 1e-5 * System.Math.Max(1, Number(reference)));
        handOff.Layers.Should().BeEmpty();
        handOff.Image.Should().NotBeNull();
        var scale = System.Math.Max(1e-6, Number(expected.abs().max()));
        Number(handOff.Image!.sub(expected).abs().max()).Should().BeLessThan(1e-5 * scale);
        if (laidOutAsImage)
        {
            handOff.Image!.stride().Should().Equal(image.stride(), "the gradient is laid out as the image is");
        }
    }

    private static double Number(Tensor value) => value.to(float64).item<double>();
}
