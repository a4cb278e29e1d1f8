using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// A Fire module's forward pass by hand (<see cref="FireForward"/>) equals libtorch's (the module's convolutions, ReLUs and
/// concatenation), and its squeezed output the squeeze's: at both vector widths, for both squeeze widths, maps whose rows
/// end inside a tile (1, 7, 13 and 17 positions wide), a batch, and bit for bit on one thread or three.
/// </summary>
public sealed class FireForwardTests
{
    [Theory]
    [InlineData(512, 64, 16, 64, 1, 13, 17)]
    [InlineData(512, 128, 32, 128, 2, 6, 9)]
    [InlineData(256, 64, 16, 64, 1, 13, 17)]
    [InlineData(256, 256, 32, 128, 2, 5, 7)]
    [InlineData(512, 128, 16, 64, 1, 1, 1)]
    [InlineData(256, 64, 32, 128, 1, 2, 1)]
    public void It_equals_libtorch_s_forward_pass_of_the_module(int bits, int inputs, int squeezed, int expanded, int batch, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        torch.manual_seed(21);
        using var fire = new FireModule(inputs, squeezed, expanded, expanded);
        var input = ChannelsLast.Copy(randn([batch, inputs, height, width], generator: new torch.Generator(22)));
        Tensor expected, expectedSqueezed;
        using (no_grad())
        {
            expected = fire.forward(input);
            expectedSqueezed = nn.functional.relu(nn.functional.conv2d(input, fire.SqueezeWeight, fire.SqueezeBias));
        }

        expected.le(0).any().item<bool>().Should().BeTrue("the expands' ReLU must be exercised");
        expectedSqueezed.le(0).any().item<bool>().Should().BeTrue("the squeeze's ReLU must be exercised");

        var (output, squeezedOutput) = FireForward.Compute(input, FireForward.Pack(fire), bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256);

        output.shape.Should().Equal(expected.shape);
        squeezedOutput.shape.Should().Equal(expectedSqueezed.shape);
        ChannelsLast.Is(output).Should().BeTrue();
        output.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * expected.abs().max().item<float>());
        squeezedOutput.sub(expectedSqueezed).abs().max().item<float>().Should().BeLessThan(1e-5f * expectedSqueezed.abs().max().item<float>());
    }

    [Theory]
    [InlineData(2, 37, 45)] // cut within a row: 444 tiles of 4 positions
    [InlineData(3, 40, 23)]
    [InlineData(5, 37, 45)]
    [InlineData(9, 2, 7)] // more parts than tiles: some ranges are empty
    public void Split_over_libtorch_s_team_it_gives_the_same_output_bit_for_bit(int parts, int height, int width)
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (one, split) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(23);
            using var fire = new FireModule(128, 32, 128, 128);
            var input = ChannelsLast.Copy(randn([1, 128, height, width], generator: new torch.Generator(24)));
            var packed = FireForward.Pack(fire);
            var (whole, wholeSqueezed) = FireForward.Compute(input, packed, parts: 1);
            var (ranges, rangesSqueezed) = FireForward.Compute(input, packed, parts: parts);
            // Both outputs, side by side: the squeezed output is written by range too.
            return (cat([whole, wholeSqueezed], 1).DetachFromDisposeScope(), cat([ranges, rangesSqueezed], 1).DetachFromDisposeScope());
        });

        using (one)
        using (split)
        {
            split.sub(one).abs().max().item<float>().Should().Be(0);
        }
    }

    [Fact]
    public void An_input_of_other_channels_is_refused_naming_the_module()
    {
        using var scope = NewDisposeScope();
        using var fire = new FireModule(64, 16, 64, 64);
        var act = () => FireForward.Compute(rand([1, 32, 5, 5]), FireForward.Pack(fire));
        act.Should().Throw<System.ArgumentException>().WithMessage("*Fire module*64 channels*");
    }
}
