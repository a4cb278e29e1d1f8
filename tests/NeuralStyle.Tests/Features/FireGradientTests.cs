using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// A Fire module's gradient by hand (<see cref="FireGradient"/>) equals autograd's backward of the squeeze, the two expands,
/// their ReLUs and the concatenation: at both vector widths, for both squeeze widths SqueezeNet 1.1's first four Fire
/// modules have, odd and tiny maps (every tap at an edge), a batch, written fresh or added to a gradient already there,
/// and split over libtorch's team.
/// </summary>
public sealed class FireGradientTests
{
    [Theory]
    [InlineData(512, 64, 16, 64, 1, 13, 17)]
    [InlineData(512, 128, 32, 128, 2, 6, 9)]
    [InlineData(256, 64, 16, 64, 1, 13, 17)]
    [InlineData(256, 256, 32, 128, 2, 5, 7)]
    [InlineData(512, 128, 16, 64, 1, 1, 1)]
    [InlineData(256, 64, 32, 128, 1, 2, 1)]
    public void It_equals_autograd_s_backward_of_the_module(int bits, int inputs, int squeezed, int expanded, int batch, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var module = Module.Random(inputs, squeezed, expanded, seed: 3);
        var input = ChannelsLast.Copy(randn([batch, inputs, height, width], generator: new torch.Generator(4))).requires_grad_();
        var (output, squeezedOutput) = module.Forward(input);
        var outputGradient = ChannelsLast.Copy(randn(output.shape, generator: new torch.Generator(5)));
        var expected = torch.autograd.grad([output], [input], [outputGradient])[0];
        output.le(0).any().item<bool>().Should().BeTrue("the expands' ReLU mask must be exercised");
        squeezedOutput.le(0).any().item<bool>().Should().BeTrue("the squeeze's ReLU mask must be exercised");

        var lanes = bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256;
        var packed = FireGradient.Pack(module.Squeeze, module.Expand1x1, module.Expand3x3);
        var actual = FireGradient.Compute(outputGradient, output.detach(), squeezedOutput.detach(), packed, lanes: lanes);

        actual.shape.Should().Equal(expected.shape);
        ChannelsLast.Is(actual).Should().BeTrue();
        var scale = expected.abs().max().item<float>();
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * scale);

        // Added to a gradient already there, in its own memory.
        var earlier = ChannelsLast.Copy(randn(expected.shape, generator: new torch.Generator(6)));
        var sum = earlier.add(expected);
        var added = FireGradient.Compute(outputGradient, output.detach(), squeezedOutput.detach(), packed, earlier, lanes);
        ReferenceEquals(added, earlier).Should().BeTrue();
        earlier.sub(sum).abs().max().item<float>().Should().BeLessThan(1e-5f * sum.abs().max().item<float>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Given_a_gradient_masked_already_and_no_output_it_gives_the_same_gradient_bit_for_bit(int parts)
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (withOutput, without) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var module = Module.Random(128, 16, 64, seed: 12);
            var input = ChannelsLast.Copy(randn([1, 128, 23, 31], generator: new torch.Generator(13)));
            var (output, squeezedOutput) = module.Forward(input);
            var gradient = ChannelsLast.Copy(randn(output.shape, generator: new torch.Generator(14)));
            // Masked as PoolGradient masks it when rectifying: 0 where the output is.
            var masked = ChannelsLast.Copy(gradient.where(output.gt(0), zeros_like(gradient)));
            var packed = FireGradient.Pack(module.Squeeze, module.Expand1x1, module.Expand3x3);
            var expected = FireGradient.Compute(gradient, output, squeezedOutput, packed, parts: parts);
            var actual = FireGradient.Compute(masked, null, squeezedOutput, packed, parts: parts);
            return (expected.DetachFromDisposeScope(), actual.DetachFromDisposeScope());
        });

        using (withOutput)
        using (without)
        {
            withOutput.abs().max().item<float>().Should().BeGreaterThan(0);
            without.sub(withOutput).abs().max().item<float>().Should().Be(0);
        }
    }

    [Theory]
    [InlineData(2, 37, 45)] // cut within a row: 111 tiles of 16 positions
    [InlineData(3, 40, 23)]
    [InlineData(7, 37, 45)]
    [InlineData(5, 2, 20)] // more parts than tiles: some ranges are empty
    public void Split_over_libtorch_s_team_it_gives_the_same_gradient_bit_for_bit(int parts, int height, int width)
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (one, split) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var module = Module.Random(128, 16, 64, seed: 8);
            var input = ChannelsLast.Copy(randn([1, 128, height, width], generator: new torch.Generator(9)));
            var (output, squeezedOutput) = module.Forward(input);
            var gradient = ChannelsLast.Copy(randn(output.shape, generator: new torch.Generator(10)));
            var packed = FireGradient.Pack(module.Squeeze, module.Expand1x1, module.Expand3x3);
            var whole = FireGradient.Compute(gradient, output, squeezedOutput, packed, parts: 1);
            var ranges = FireGradient.Compute(gradient, output, squeezedOutput, packed, parts: parts);
            return (whole.DetachFromDisposeScope(), ranges.DetachFromDisposeScope());
        });

        using (one)
        using (split)
        {
            split.sub(one).abs().max().item<float>().Should().Be(0);
        }
    }

    [Fact]
    public void Mismatched_shapes_are_refused_naming_the_module()
    {
        using var scope = NewDisposeScope();
        var module = Module.Random(64, 16, 64, seed: 1);
        var packed = FireGradient.Pack(module.Squeeze, module.Expand1x1, module.Expand3x3);
        var output = ChannelsLast.Copy(rand([1, 128, 5, 5]));
        var act = () => FireGradient.Compute(output, output, ChannelsLast.Copy(rand([1, 32, 5, 5])), packed);
        act.Should().Throw<System.ArgumentException>().WithMessage("*Fire module*");
        FireGradient.Applies(randn([48, 384, 1, 1]), randn([192, 48, 1, 1]), randn([192, 48, 3, 3])).Should().BeFalse("48 squeezed channels are not a whole number of vectors per tile");
    }

    [Fact]
    public void The_extractor_takes_a_fire_module_by_hand_only_with_a_cut_below_it_and_keeps_its_squeezed_output()
    {
        var extractor = TestSupport.Extractors.Cpu;
        if (!extractor.TakesStemGradientByHand || !extractor.TakesFireModuleByHand(3))
        {
            Assert.Skip("This CPU has no vector width the kernels use.");
        }

        using var scope = NewDisposeScope();
        var image = rand([1, 3, 64, 64]);
        var noCut = () => extractor.Extract(image, 4, new System.Collections.Generic.Dictionary<int, Tensor?> { [1] = null }, fires: new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null });
        noCut.Should().Throw<System.ArgumentException>().WithMessage("*Fire module*cut after the layer below*");
        var notFire = () => extractor.Extract(image, 5, new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null }, fires: new System.Collections.Generic.Dictionary<int, Tensor?> { [5] = null });
        notFire.Should().Throw<System.ArgumentException>();

        var cuts = new System.Collections.Generic.Dictionary<int, Tensor?> { [3] = null };
        var fires = new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null };
        using var byHand = extractor.Extract(image.clone().requires_grad_(), 4, cuts, fires: fires);
        using var plain = extractor.Extract(image, 4);
        byHand[4].requires_grad.Should().BeTrue("terms hand their gradients over only for outputs that require one");
        byHand[4].is_leaf.Should().BeTrue("the module ran without a graph");
        // Formed by FireForward where it applies: libtorch's values up to the order of additions.
        byHand[4].sub(plain[4]).abs().max().item<float>().Should().BeLessThan(1e-5f * plain[4].abs().max().item<float>());
        fires[4].Should().NotBeNull();
        fires[4]!.shape.Should().Equal([1, 16, plain[4].shape[2], plain[4].shape[3]]);
        fires[4]!.Dispose();
        cuts[3]!.Dispose();
    }

    // A Fire module's forward pass on random weights, written out with libtorch's operations.
    private sealed record Module(Tensor Squeeze, Tensor SqueezeBias, Tensor Expand1x1, Tensor Bias1x1, Tensor Expand3x3, Tensor Bias3x3)
    {
        public static Module Random(int inputs, int squeezed, int expanded, int seed)
        {
            var generator = new torch.Generator((ulong)seed);
            return new Module(
                randn([squeezed, inputs, 1, 1], generator: generator).div_(inputs / 4.0), randn([squeezed], generator: generator),
                randn([expanded, squeezed, 1, 1], generator: generator).div_(squeezed / 4.0), randn([expanded], generator: generator),
                randn([expanded, squeezed, 3, 3], generator: generator).div_(squeezed * 2.0), randn([expanded], generator: generator));
        }

        public (Tensor Output, Tensor Squeezed) Forward(Tensor input)
        {
            var squeezed = nn.functional.relu(nn.functional.conv2d(input, Squeeze, SqueezeBias));
            var left = nn.functional.relu(nn.functional.conv2d(squeezed, Expand1x1, Bias1x1));
            var right = nn.functional.relu(nn.functional.conv2d(squeezed, Expand3x3, Bias3x3, padding: [1, 1]));
            return (torch.cat([left, right], 1), squeezed);
        }
    }
}
