using System.Linq;
using FluentAssertions;
using NeuralStyle.Video.Flow;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Tests;

public sealed class FlowWarpTests
{
    [Fact]
    public void Warping_with_a_whole_pixel_flow_shifts_the_image()
    {
        using var scope = NewDisposeScope();
        var image = arange(0, 20, 1, dtype: float32).view(1, 1, 4, 5);
        // out(p) = image(p + (1, 0)): every pixel takes its right neighbour's value (the last column repeats the border).
        var flow = zeros(1, 2, 4, 5);
        flow[0, 0] = ones(4, 5);
        var warped = FlowWarp.Warp(image, flow);
        warped[0, 0, 2].data<float>().ToArray().Should().Equal(11, 12, 13, 14, 14);
    }

    [Fact]
    public void Warping_with_a_half_pixel_flow_interpolates()
    {
        using var scope = NewDisposeScope();
        var image = arange(0, 20, 1, dtype: float32).view(1, 1, 4, 5);
        var flow = zeros(1, 2, 4, 5);
        flow[0, 1] = full(4, 5, 0.5f); // half a row down: + 2.5
        var warped = FlowWarp.Warp(image, flow);
        warped[0, 0, 1, 2].item<float>().Should().BeApproximately(9.5f, 1e-5f);
    }

    [Fact]
    public void Consistent_flows_are_trusted_except_where_they_leave_the_frame()
    {
        using var scope = NewDisposeScope();
        // A pan: this frame is the previous moved 2 px left, so the backward flow is (+2, 0) and the forward (−2, 0).
        var backward = zeros(1, 2, 6, 8);
        backward[0, 0] = full(6, 8, 2f);
        var forward = backward.neg();
        var c = FlowWarp.ConsistencyWeights(backward, forward);
        // Columns 6 and 7 come from outside the previous frame.
        c[0, 0].sum(dim: 0).data<float>().ToArray().Should().Equal(6, 6, 6, 6, 6, 6, 0, 0);
    }

    [Fact]
    public void Disagreeing_flows_mark_an_occlusion()
    {
        using var scope = NewDisposeScope();
        var backward = zeros(1, 2, 8, 8);
        var forward = zeros(1, 2, 8, 8);
        // In a 2×2 block the forward flow says the pixel moved 3 px down, the backward flow that it did not move.
        forward[0, 1, TensorIndex.Slice(2, 4), TensorIndex.Slice(2, 4)] = full(2, 2, 3f);
        var c = FlowWarp.ConsistencyWeights(backward, forward);
        c[0, 0, TensorIndex.Slice(2, 4), TensorIndex.Slice(2, 4)].sum().item<float>().Should().Be(0);
        c.sum().item<float>().Should().Be(64 - 4);
    }

    [Fact]
    public void A_motion_boundary_and_a_disocclusion_are_not_trusted()
    {
        using var scope = NewDisposeScope();
        // An object in columns 0–5 of the previous frame moves 4 px right over a still background: in this frame it covers
        // columns 4–9 (backward flow −4 there), and columns 0–3 show background it hid before.
        var backward = zeros(1, 2, 6, 12);
        backward[0, 0, TensorIndex.Colon, TensorIndex.Slice(4, 10)] = full(6, 6, -4f);
        var forward = zeros(1, 2, 6, 12);
        forward[0, 0, TensorIndex.Colon, TensorIndex.Slice(0, 6)] = full(6, 6, 4f);
        var c = FlowWarp.ConsistencyWeights(backward, forward);
        c[0, 0, 3, 1].item<float>().Should().Be(0, "column 1 was hidden by the object (the flows disagree)");
        c[0, 0, 3, 9].item<float>().Should().Be(0, "column 9 is at the object's edge (motion boundary)");
        c[0, 0, 3, 8].item<float>().Should().Be(1, "inside the object both flows agree");
        c[0, 0, 3, 10].item<float>().Should().Be(1, "the still background agrees");
    }
}
