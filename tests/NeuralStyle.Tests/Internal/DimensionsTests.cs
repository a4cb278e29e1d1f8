using FluentAssertions;
using NeuralStyle.Internal;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Internal;

/// <summary>
/// The per-call shape and stride checks (<see cref="Dimensions"/>) agree with comparing TorchSharp's whole
/// <c>shape</c> and <c>stride()</c> arrays: ranks, sizes and layouts that differ in one place are told apart.
/// </summary>
public sealed class DimensionsTests
{
    [Fact]
    public void Sizes_are_compared_one_by_one_and_the_rank_first()
    {
        using var scope = NewDisposeScope();
        var tensor = zeros(2, 3, 4, 5);
        Dimensions.Are(tensor, [2, 3, 4, 5]).Should().BeTrue();
        Dimensions.Are(tensor, [2, 3, 4, 6]).Should().BeFalse("the last size differs");
        Dimensions.Are(tensor, [2, 3, 4]).Should().BeFalse("the rank differs");
        Dimensions.Are(tensor, [2, 3, 4, 5, 1]).Should().BeFalse("the rank differs");
        Dimensions.Are(zeros(1), [1]).Should().BeTrue();

        Dimensions.Equal(tensor, zeros(2, 3, 4, 5)).Should().BeTrue();
        Dimensions.Equal(tensor, zeros(2, 3, 5, 4)).Should().BeFalse();
        Dimensions.Equal(tensor, zeros(2, 3, 20)).Should().BeFalse();
    }

    [Fact]
    public void Layouts_differ_where_one_stride_does()
    {
        using var scope = NewDisposeScope();
        var contiguous = zeros(1, 8, 4, 4);
        var channelsLast = ChannelsLast.Copy(contiguous);
        Dimensions.SameStrides(contiguous, zeros(1, 8, 4, 4)).Should().BeTrue();
        Dimensions.SameStrides(channelsLast, ChannelsLast.Copy(zeros(1, 8, 4, 4))).Should().BeTrue();
        Dimensions.SameStrides(contiguous, channelsLast).Should().BeFalse("the same shape in another memory layout");
        Dimensions.Equal(contiguous, channelsLast).Should().BeTrue("the shape is the same");
        Dimensions.SameStrides(contiguous, zeros(1, 8, 16)).Should().BeFalse("the rank differs");
    }
}
