using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Optimization;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// Float32 CPU pixels take their Adam step in one pass (<see cref="PixelAdamKernel"/>): it must move the pixels and the
/// moments as the tensor operations do, in either memory layout, and leave what it does not take to them.
/// </summary>
public sealed class PixelAdamKernelTests
{
    [Theory]
    [InlineData(true, 1, 13, 21)]
    [InlineData(false, 1, 13, 21)]
    [InlineData(true, 2, 5, 3)]
    [InlineData(false, 1, 1, 1)]
    public void Steps_of_the_kernel_equal_the_tensor_operations(bool channelsLast, int batch, int height, int width)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(23);
        var start = randn([batch, 3, height, width], generator: generator);
        using var kernelPixels = Pixels(start, channelsLast);
        using var tensorPixels = Pixels(start, channelsLast);
        using var kernel = new PixelAdam(kernelPixels, 0.7);
        using var reference = new PixelAdam(tensorPixels, 0.7) { UsesKernel = false };

        for (var step = 0; step < 6; step++)
        {
            // Gradients of both signs and of very different sizes, the same for both.
            var slope = randn([batch, 3, height, width], generator: generator).mul(Math.Pow(10, step - 3));
            Backward(kernel, kernelPixels, slope);
            Backward(reference, tensorPixels, slope);
            using (var gradient = kernelPixels.grad)
            {
                PixelAdamKernel.Applies(kernelPixels, gradient!, kernel.FirstMoment, kernel.SecondMoment).Should().BeTrue();
            }

            kernel.Step();
            reference.Step();
        }

        Close(kernelPixels, tensorPixels);
        Close(kernel.FirstMoment, reference.FirstMoment);
        Close(kernel.SecondMoment, reference.SecondMoment);
        kernelPixels.stride().Should().Equal(tensorPixels.stride());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Split_over_libtorch_s_team_a_step_is_the_same_bit_for_bit(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(29);
        // 3·150·203 elements: above the split's threshold, and not a whole number of vectors.
        var shape = new long[] { 1, 3, 150, 203 };
        shape.Aggregate(1L, (a, b) => a * b).Should().BeGreaterThan(NeuralStyle.Internal.OpenMpTeam.SplitFromValues);
        Tensor Make() => channelsLast ? NeuralStyle.Internal.ChannelsLast.Copy(randn(shape, generator: generator)) : randn(shape, generator: generator);
        var (pixels, gradient, first, second) = (Make(), Make(), Make().abs(), Make().abs());
        var step = new AdamStep(0.9, 0.999, 1e-8, Math.Sqrt(1 - Math.Pow(0.999, 3)), -0.7 / (1 - Math.Pow(0.9, 3)));
        Tensor[] Run(int threads)
        {
            Tensor[] copies = [pixels.clone(), first.clone(), second.clone()];
            TestSupport.LibtorchThreads.Run(threads, () =>
            {
                PixelAdamKernel.Step(copies[0], gradient, copies[1], copies[2], step);
                return 0;
            });
            return copies;
        }

        var (one, two) = (Run(1), Run(2));
        for (var k = 0; k < 3; k++)
        {
            one[k].eq(two[k]).all().item<bool>().Should().BeTrue($"tensor {k} (pixels, first moment, second moment)");
        }

        one[0].eq(pixels).all().item<bool>().Should().BeFalse("the step moved the pixels");
    }

    [Fact]
    public void The_first_step_moves_each_pixel_by_the_rate_against_its_gradient_sign()
    {
        // After one step m̂ = g and v̂ = g², so the step is rate · g / (|g| + ε).
        using var scope = NewDisposeScope();
        using var pixels = new Parameter(tensor(new[] { 0.5f, -0.25f, 2f, 0f }).reshape(1, 1, 2, 2));
        using var adam = new PixelAdam(pixels, 0.1);
        Backward(adam, pixels, tensor(new[] { 3f, -0.002f, 1e-3f, -40f }).reshape(1, 1, 2, 2));

        adam.Step();

        pixels.detach().reshape(4).data<float>().ToArray().Should().BeEquivalentTo(
            new[] { 0.4f, -0.15f, 1.9f, 0.1f }, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-5f)).WhenTypeIs<float>());
    }

    [Fact]
    public void Moments_laid_out_unlike_the_pixels_are_left_to_the_tensor_operations()
    {
        using var scope = NewDisposeScope();
        using var pixels = new Parameter(randn([1, 3, 4, 5]));
        using var gradient = randn([1, 3, 4, 5]).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        using var moment = zeros([1, 3, 4, 5]);

        PixelAdamKernel.Applies(pixels, gradient, moment, moment).Should().BeFalse();
        PixelAdamKernel.Applies(pixels, moment, moment, moment).Should().BeTrue();
        using var doubles = zeros([1, 3, 4, 5], float64);
        PixelAdamKernel.Applies(doubles, doubles, doubles, doubles).Should().BeFalse();
        var act = () => PixelAdamKernel.Step(pixels, gradient, moment, moment, new AdamStep(0.9, 0.999, 1e-8, 1, -1));
        act.Should().Throw<ArgumentException>();
    }

    private static Parameter Pixels(Tensor values, bool channelsLast) =>
        new(channelsLast ? values.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : values.clone());

    // Sets the pixels' gradient to the slope, by the backward pass of Σ slope · pixels.
    private static void Backward(PixelAdam adam, Parameter pixels, Tensor slope)
    {
        adam.ZeroGradient();
        pixels.mul(slope).sum().backward();
    }

    private static void Close(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var scale = Math.Max(1e-12f, expected.abs().max().item<float>());
        actual.detach().sub(expected.detach()).abs().max().item<float>().Should().BeLessThan(2e-6f * scale);
    }
}
