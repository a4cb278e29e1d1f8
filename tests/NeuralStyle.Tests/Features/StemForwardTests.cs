using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// The stem's forward pass by hand (<see cref="StemForward"/>) equals libtorch's <c>conv1</c> with its bias and ReLU (within
/// 1e-5 of the largest value; bit for bit where oneDNN adds in the kernel's order, as on AVX-512): at both
/// vector widths, for even and odd image sizes, rows that end inside a tile, the smallest image, a batch, an image in
/// channels-last memory, and bit for bit on one thread or three; and the extractor's stem gives libtorch's outputs with it.
/// </summary>
public sealed class StemForwardTests
{
    [Theory]
    [InlineData(512, 1, 37, 45)]
    [InlineData(512, 2, 36, 44)]
    [InlineData(512, 1, 3, 3)]
    [InlineData(512, 1, 5, 9)]
    [InlineData(256, 1, 37, 45)]
    [InlineData(256, 2, 36, 44)]
    [InlineData(256, 1, 3, 5)]
    public void It_equals_libtorch_s_convolution_with_its_bias_and_relu(int bits, int batch, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var generator = new torch.Generator(41);
        var weight = randn([64, 3, 3, 3], generator: generator);
        var bias = randn([64], generator: generator);
        var image = randn([batch, 3, height, width], generator: generator);
        var expected = nn.functional.relu(nn.functional.conv2d(image, weight, bias, strides: [2, 2]));
        expected.le(0).any().item<bool>().Should().BeTrue("the ReLU must be exercised");

        var actual = StemForward.Compute(image, StemForward.Pack(weight, bias), bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256);

        actual.shape.Should().Equal(expected.shape);
        ChannelsLast.Is(actual).Should().BeTrue();
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * expected.abs().max().item<float>());
        using var fromChannelsLast = StemForward.Compute(ChannelsLast.Copy(image), StemForward.Pack(weight, bias), bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256);
        fromChannelsLast.sub(actual).abs().max().item<float>().Should().Be(0, "the image's layout changes nothing");
    }

    [Theory]
    [InlineData(2, 131, 97)]
    [InlineData(3, 40, 23)]
    public void Split_over_libtorch_s_team_it_gives_the_same_output_bit_for_bit(int parts, int height, int width)
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (one, split) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var generator = new torch.Generator(42);
            var packed = StemForward.Pack(randn([64, 3, 3, 3], generator: generator), randn([64], generator: generator));
            var image = randn([1, 3, height, width], generator: generator);
            return (StemForward.Compute(image, packed, parts: 1).DetachFromDisposeScope(), StemForward.Compute(image, packed, parts: parts).DetachFromDisposeScope());
        });

        using (one)
        using (split)
        {
            split.sub(one).abs().max().item<float>().Should().Be(0);
        }
    }

    [Fact]
    public void The_extractor_s_stem_by_hand_gives_libtorch_s_features()
    {
        using var extractor = SqueezeNetFeatureExtractor.FromFile(TestSupport.SharedAssets.SafeTensorsWeights);
        if (!extractor.TakesStemGradientByHand)
        {
            Assert.Skip("The stem is not taken by hand here (no vector width, or more than two libtorch threads).");
        }

        using var scope = NewDisposeScope();
        var image = rand([1, 3, 67, 90], generator: new torch.Generator(43)).sub(0.5).mul(4);
        var cuts = new System.Collections.Generic.Dictionary<int, Tensor?> { [1] = null, [2] = null };
        using var expected = extractor.Extract(image, 3);
        using var byHand = extractor.Extract(image.clone().requires_grad_(), 3, cuts, stemByHand: true, poolByHand: true);
        for (var layer = 0; layer <= 3; layer++)
        {
            var scale = expected[layer].abs().max().item<float>();
            byHand[layer].sub(expected[layer]).abs().max().item<float>().Should().BeLessThan(1e-5f * scale, $"layer {layer}");
        }

        foreach (var leaf in cuts.Values)
        {
            leaf?.Dispose();
        }
    }

    [Fact]
    public void An_image_of_other_channels_or_smaller_than_the_kernel_is_refused()
    {
        using var scope = NewDisposeScope();
        var packed = StemForward.Pack(randn([64, 3, 3, 3]), randn([64]));
        var channels = () => StemForward.Compute(rand([1, 4, 9, 9]), packed);
        channels.Should().Throw<System.ArgumentException>().WithMessage("*3 channels*[1,4,9,9]*");
        var small = () => StemForward.Compute(rand([1, 3, 2, 9]), packed);
        small.Should().Throw<System.ArgumentException>().WithMessage("*at least 3×3*");
        StemForward.Applies(randn([64, 3, 3, 3]), null).Should().BeFalse("conv1 has a bias");
        StemForward.Applies(randn([32, 3, 3, 3]), randn([32])).Should().BeFalse("the tile is 64 channels");
    }
}
