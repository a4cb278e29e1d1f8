using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// The stem's gradient by hand (<see cref="StemGradient"/>) equals autograd's backward of <c>conv1</c> and its ReLU: at
/// both vector widths, for even and odd image sizes (whose last row and column no kernel reaches), a batch, and with the
/// ReLU's mask; and the extractor uses it only on channels-last memory.
/// </summary>
public sealed class StemGradientTests
{
    [Theory]
    [InlineData(256, 1, 37, 45)]
    [InlineData(256, 2, 36, 44)]
    [InlineData(512, 1, 37, 45)]
    [InlineData(512, 2, 36, 44)]
    [InlineData(512, 1, 3, 9)]
    public void It_equals_autograd_s_backward_of_the_convolution_and_its_relu(int bits, int batch, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var generator = new torch.Generator(11);
        var weight = randn([64, 3, 3, 3], generator: generator);
        var bias = randn([64], generator: generator);
        var image = ChannelsLast.Copy(randn([batch, 3, height, width], generator: generator)).requires_grad_();
        var rectified = nn.functional.relu(nn.functional.conv2d(image, weight, bias, strides: [2, 2]));
        var outputGradient = ChannelsLast.Copy(randn(rectified.shape, generator: generator));
        var expected = torch.autograd.grad([rectified], [image], [outputGradient])[0];
        rectified.le(0).any().item<bool>().Should().BeTrue("the ReLU's mask must be exercised");

        var lanes = bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256;
        var actual = StemGradient.Compute(outputGradient, rectified.detach(), weight, height, width, lanes);

        actual.shape.Should().Equal(expected.shape);
        ChannelsLast.Is(actual).Should().BeTrue();
        var scale = expected.abs().max().item<float>();
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * scale);
        if (height % 2 == 0)
        {
            // No kernel reaches the last row of an even height: its gradient is 0.
            actual.narrow(2, height - 1, 1).abs().max().item<float>().Should().Be(0);
        }
    }

    [Theory]
    [InlineData(256, 37, 45)] // a last tile of fewer positions in every row
    [InlineData(512, 36, 44)]
    [InlineData(512, 3, 9)]
    public void Given_a_gradient_masked_already_and_no_rectified_output_it_gives_the_same_gradient_bit_for_bit(int bits, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var generator = new torch.Generator(13);
        var weight = randn([64, 3, 3, 3], generator: generator);
        var image = ChannelsLast.Copy(randn([1, 3, height, width], generator: generator));
        var rectified = nn.functional.relu(nn.functional.conv2d(image, weight, strides: [2, 2]));
        var gradient = ChannelsLast.Copy(randn(rectified.shape, generator: generator));
        // Masked as PoolGradient masks it when rectifying: the ReLU's gradient, 0 where the output is.
        var masked = ChannelsLast.Copy(gradient.where(rectified.gt(0), zeros_like(gradient)));
        var packed = StemGradient.Pack(weight);
        var lanes = bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256;

        var withKeys = StemGradient.Compute(gradient, rectified, packed, height, width, lanes, parts: 1);
        var without = StemGradient.Compute(masked, null, packed, height, width, lanes, parts: 1);

        withKeys.abs().max().item<float>().Should().BeGreaterThan(0);
        without.sub(withKeys).abs().max().item<float>().Should().Be(0);
    }

    [Theory]
    [InlineData(2, 37, 45)]
    [InlineData(3, 37, 45)]
    [InlineData(2, 130, 98)]
    [InlineData(8, 9, 9)]
    public void Split_into_bands_of_rows_on_libtorch_s_team_it_gives_the_same_gradient(int parts, int height, int width)
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (whole, split, scale) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var generator = new torch.Generator(5);
            var weight = randn([64, 3, 3, 3], generator: generator);
            var image = ChannelsLast.Copy(randn([1, 3, height, width], generator: generator));
            var rectified = nn.functional.relu(nn.functional.conv2d(image, weight, strides: [2, 2]));
            var gradient = ChannelsLast.Copy(randn(rectified.shape, generator: generator));
            var packed = StemGradient.Pack(weight);
            var one = StemGradient.Compute(gradient, rectified, packed, height, width, parts: 1);
            var bands = StemGradient.Compute(gradient, rectified, packed, height, width, parts: parts);
            return (one.DetachFromDisposeScope(), bands.DetachFromDisposeScope(), one.abs().max().item<float>());
        });

        using (whole)
        using (split)
        {
            // Where two bands meet, an image row's sums are added in another order: equal to within rounding.
            split.sub(whole).abs().max().item<float>().Should().BeLessThan(1e-6f * scale);
            split.sub(whole).abs().gt(0).sum().item<long>().Should().BeLessThan(whole.numel() / 4, "only the rows where bands meet may differ");
        }
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_refused()
    {
        using var scope = NewDisposeScope();
        var weight = randn([64, 3, 3, 3]);
        var act = () => StemGradient.Compute(zeros([1, 64, 5, 5]), zeros([1, 64, 5, 5]), weight, 14, 11);
        act.Should().Throw<System.ArgumentException>().WithMessage("*do not fit a 11×14 image*");
    }

    [Fact]
    public void The_extractor_takes_the_stem_s_gradient_by_hand_only_on_channels_last_memory()
    {
        using var extractor = SqueezeNetFeatureExtractor.FromFile(TestSupport.SharedAssets.SafeTensorsWeights);
        extractor.TakesStemGradientByHand.Should().Be(FmaKernels.IsSupported && FmaKernels.FewLibtorchThreads);
        extractor.ChannelsLast = false;
        extractor.TakesStemGradientByHand.Should().BeFalse();
        StemGradient.Applies(randn([64, 3, 5, 5])).Should().BeFalse();
        StemGradient.Applies(randn([64, 3, 3, 3], ScalarType.Float64)).Should().BeFalse();
    }
}
