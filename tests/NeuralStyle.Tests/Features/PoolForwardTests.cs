using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// The max-pools' forward pass by hand (<see cref="PoolForward"/>) gives libtorch's values exactly (3×3, stride 2, ceil
/// mode): at both vector widths, for the three pools' channel counts, even and odd sizes (whose last window hangs over the
/// edge), the smallest input, a batch, ReLU's ties of zeros and a NaN; on one thread or three; and the extractor takes
/// pool3 by hand only over a Fire module it takes by hand.
/// </summary>
public sealed class PoolForwardTests
{
    [Theory]
    [InlineData(512, 1, 64, 37, 45)]
    [InlineData(512, 2, 128, 36, 44)]
    [InlineData(512, 1, 256, 3, 3)]
    [InlineData(512, 1, 16, 4, 7)]
    [InlineData(256, 1, 64, 37, 45)]
    [InlineData(256, 2, 128, 36, 44)]
    [InlineData(256, 1, 256, 3, 4)]
    public void It_gives_libtorch_s_max_pool_exactly(int bits, int batch, int channels, int height, int width)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        // Rectified, as the pools' inputs are: many windows of zeros.
        var input = ChannelsLast.Copy(nn.functional.relu(randn([batch, channels, height, width], generator: new torch.Generator(51))));
        input[0, 1, height - 1, width - 1] = float.NaN;
        var expected = nn.functional.max_pool2d(input, 3, 2, ceil_mode: true);

        var actual = PoolForward.Compute(input, bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256);

        actual.shape.Should().Equal(expected.shape);
        ChannelsLast.Is(actual).Should().BeTrue();
        actual.isnan().eq(expected.isnan()).all().item<bool>().Should().BeTrue("a NaN spreads to the windows that hold it");
        actual.isnan().any().item<bool>().Should().BeTrue();
        actual.nan_to_num().eq(expected.nan_to_num()).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Split_over_libtorch_s_team_it_gives_the_same_output()
    {
        if (!FmaKernels.IsSupported)
        {
            Assert.Skip("This CPU has no vector width the kernel uses.");
        }

        var (one, split) = TestSupport.LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var input = ChannelsLast.Copy(randn([1, 64, 61, 47], generator: new torch.Generator(52)));
            return (PoolForward.Compute(input, parts: 1).DetachFromDisposeScope(), PoolForward.Compute(input, parts: 3).DetachFromDisposeScope());
        });

        using (one)
        using (split)
        {
            split.eq(one).all().item<bool>().Should().BeTrue();
        }
    }

    [Fact]
    public void The_extractor_takes_a_later_pool_by_hand_only_over_a_fire_module_taken_by_hand()
    {
        var extractor = TestSupport.Extractors.Cpu;
        if (!extractor.TakesStemGradientByHand || !extractor.TakesFireModuleByHand(4))
        {
            Assert.Skip("This CPU has no vector width the kernels use.");
        }

        using var scope = NewDisposeScope();
        var image = rand([1, 3, 64, 64], generator: new torch.Generator(53));
        var overLibtorch = () => extractor.Extract(image, 5, new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null }, pools: [5]);
        overLibtorch.Should().Throw<System.ArgumentException>().WithMessage("*max-pool*over a Fire module taken by hand*");
        var notPool = () => extractor.Extract(image, 6, new System.Collections.Generic.Dictionary<int, Tensor?> { [3] = null }, fires: new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null }, pools: [4]);
        notPool.Should().Throw<System.ArgumentException>();

        var cuts = new System.Collections.Generic.Dictionary<int, Tensor?> { [3] = null, [4] = null };
        var fires = new System.Collections.Generic.Dictionary<int, Tensor?> { [4] = null };
        using var byHand = extractor.Extract(image.clone().requires_grad_(), 5, cuts, fires: fires, pools: [5]);
        using var plain = extractor.Extract(image, 5);
        byHand[5].requires_grad.Should().BeTrue("terms hand their gradients over only for outputs that require one");
        byHand[5].is_leaf.Should().BeTrue("the pool ran without a graph");
        ChannelsLast.Is(byHand[5]).Should().BeTrue();
        byHand[5].sub(plain[5]).abs().max().item<float>().Should().BeLessThan(1e-5f * plain[5].abs().max().item<float>());
        fires[4]!.Dispose();
        cuts[3]!.Dispose();
        cuts[4]!.Dispose();
    }

    [Fact]
    public void An_input_the_kernel_does_not_take_is_refused()
    {
        using var scope = NewDisposeScope();
        var contiguous = () => PoolForward.Compute(randn([1, 64, 9, 9]));
        contiguous.Should().Throw<System.ArgumentException>().WithMessage("*channels-last*[1,64,9,9]*");
        var channels = () => PoolForward.Compute(ChannelsLast.Copy(randn([1, 24, 9, 9])));
        channels.Should().Throw<System.ArgumentException>().WithMessage("*multiple of 16*");
    }
}
