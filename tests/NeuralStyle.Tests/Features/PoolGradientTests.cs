using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// The max-pool's gradient by hand (<see cref="PoolGradient"/>) equals autograd's backward of SqueezeNet's pool (3×3,
/// stride 2, ceil mode): at both vector widths, for sizes whose last window is cut short or not, a batch, with ties in
/// a window (rectified zeros and repeated values), where the first maximum in row-major order takes the gradient, and split
/// into bands of rows on libtorch's OpenMP team.
/// </summary>
public sealed class PoolGradientTests
{
    [Theory]
    [InlineData(256, 1, 64, 37, 45, 1)]
    [InlineData(256, 2, 16, 36, 44, 1)]
    [InlineData(512, 1, 64, 37, 45, 1)]
    [InlineData(512, 2, 32, 36, 44, 1)]
    [InlineData(512, 1, 128, 3, 4, 1)]
    [InlineData(512, 1, 64, 37, 45, 2)] // bands of output rows on libtorch's team
    [InlineData(256, 2, 16, 36, 44, 3)]
    [InlineData(512, 1, 16, 9, 9, 8)] // more bands asked for than pairs of rows
    public void It_equals_autograd_s_backward_of_the_pool(int bits, int batch, int channels, int height, int width, int parts)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var generator = new torch.Generator(19);
        // Rectified values on a coarse grid: zeros in most windows, and repeated maxima.
        var input = ChannelsLast.Copy(randn([batch, channels, height, width], generator: generator).mul(2).round().relu()).requires_grad_();
        var output = nn.functional.max_pool2d(input, 3, 2, ceil_mode: true);
        var outputGradient = randn(output.shape, generator: generator);
        var expected = torch.autograd.grad([output], [input], [outputGradient])[0];
        var start = ChannelsLast.Copy(randn(input.shape, generator: generator));
        var sum = start.clone();
        ChannelsLast.Is(sum).Should().BeTrue();

        TestSupport.LibtorchThreads.Run(2, () =>
        {
            PoolGradient.AddTo(sum, outputGradient, input.detach(), output.detach(), bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256, parts);
            return 0;
        });

        output.shape[2].Should().Be(PoolGradient.OutputSize(height));
        output.shape[3].Should().Be(PoolGradient.OutputSize(width));
        sum.sub(start).sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * expected.abs().max().item<float>(),
            "the gradient is added to what the tensor held, each output's to the tap libtorch recorded");
    }

    [Theory]
    [InlineData(256, 37, 45, 1)]
    [InlineData(512, 36, 44, 1)]
    [InlineData(512, 37, 45, 3)] // bands: the rows where they meet are written twice, each time masked
    public void Rectifying_it_takes_the_sum_on_through_the_relu_whose_output_its_input_is(int bits, int height, int width, int parts)
    {
        if (bits == 512 ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported))
        {
            Assert.Skip($"This CPU lacks the {bits}-bit vectors.");
        }

        using var scope = NewDisposeScope();
        var generator = new torch.Generator(21);
        // A ReLU's output with many zeros, some of them a window's maximum (an all-zero window passes its gradient to a zero).
        var preActivation = ChannelsLast.Copy(randn([1, 64, height, width], generator: generator).mul(2).round()).requires_grad_();
        var input = preActivation.relu();
        var output = nn.functional.max_pool2d(input, 3, 2, ceil_mode: true);
        var outputGradient = randn(output.shape, generator: generator);
        var start = ChannelsLast.Copy(randn(input.shape, generator: generator));
        // The terms' gradient at the ReLU's output plus the pool's, through the ReLU: autograd's gradient at its input.
        var expected = torch.autograd.grad([output, input], [preActivation], [outputGradient, start])[0];
        var sum = start.clone();

        TestSupport.LibtorchThreads.Run(2, () =>
        {
            PoolGradient.AddTo(sum, outputGradient, input.detach(), output.detach(), bits == 512 ? FmaLanes.Bits512 : FmaLanes.Bits256, parts, rectify: true);
            return 0;
        });

        input.eq(0).any().item<bool>().Should().BeTrue();
        sum.masked_select(input.detach().eq(0)).abs().max().item<float>().Should().Be(0, "no gradient passes a ReLU where its output is 0");
        sum.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f * expected.abs().max().item<float>());
    }

    [Fact]
    public void Inputs_the_kernel_does_not_take_are_refused()
    {
        using var scope = NewDisposeScope();
        PoolGradient.Applies(randn([1, 64, 9, 9])).Should().BeFalse("contiguous memory");
        PoolGradient.Applies(ChannelsLast.Copy(randn([1, 24, 9, 9]))).Should().BeFalse("24 channels");
        PoolGradient.Applies(ChannelsLast.Copy(randn([1, 64, 9, 9], ScalarType.Float64))).Should().BeFalse("double");
        PoolGradient.Applies(ChannelsLast.Copy(randn([1, 64, 9, 9]))).Should().Be(FmaKernels.IsSupported);
        var input = ChannelsLast.Copy(randn([1, 64, 9, 9]));
        var act = () => PoolGradient.AddTo(zeros_like(input), zeros([1, 64, 5, 5]), input, zeros([1, 64, 5, 5]));
        act.Should().Throw<System.ArgumentException>().WithMessage("*do not fit an input of [1,64,9,9]*");
    }
}
