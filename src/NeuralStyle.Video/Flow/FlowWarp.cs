using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace NeuralStyle.Video.Flow;

/// <summary>
/// Warping along a dense optical flow and the reliability of a flow pair. A flow is a <c>[1,2,H,W]</c> float tensor in
/// pixels: channel 0 the horizontal and channel 1 the vertical displacement, so that the pixel at <c>p</c> of the first
/// image is at <c>p + f(p)</c> in the second.
/// </summary>
public static class FlowWarp
{
    /// <summary>
    /// Brings <paramref name="image"/> into the frame the flow starts from: <c>out(p) = image(p + flow(p))</c>, sampled
    /// bilinearly (pixels that fall outside repeat the border; <see cref="ConsistencyWeights"/> gives them weight 0).
    /// </summary>
    /// <param name="image">The image to warp, <c>[1,C,H,W]</c>. Not disposed.</param>
    /// <param name="flow">The flow from the wanted frame to <paramref name="image"/>'s frame, <c>[1,2,H,W]</c>. Not disposed.</param>
    /// <returns>A fresh <c>[1,C,H,W]</c> tensor.</returns>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    public static Tensor Warp(Tensor image, Tensor flow)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckFlow(flow, image.shape[2], image.shape[3]);
        using var scope = NewDisposeScope();
        var grid = SamplingGrid(flow.to(image.dtype, image.device));
        return F.grid_sample(image, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: true).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The per-pixel weights <c>c</c> of the temporal loss (Ruder et al. 2016, eq. 5–6): 1 where the flow can be trusted and 0
    /// (a) where the forward and backward flows disagree — <c>|w̃ + b|² &gt; 0.01 (|w̃|² + |b|²) + 0.5</c> with <c>b</c> the
    /// backward flow and <c>w̃(p) = w(p + b(p))</c> the forward flow brought into this frame — which marks disocclusions,
    /// (b) at motion boundaries, <c>|∇b_x|² + |∇b_y|² &gt; 0.01 |b|² + 0.002</c>, and (c) where <c>p + b(p)</c> lies outside the frame.
    /// </summary>
    /// <param name="backward">The flow from this frame to the previous one, <c>[1,2,H,W]</c>. Not disposed.</param>
    /// <param name="forward">The flow from the previous frame to this one, <c>[1,2,H,W]</c>. Not disposed.</param>
    /// <returns>A fresh <c>[1,1,H,W]</c> float tensor of zeros and ones.</returns>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    public static Tensor ConsistencyWeights(Tensor backward, Tensor forward)
    {
        ArgumentNullException.ThrowIfNull(backward);
        CheckFlow(backward, backward.shape[^2], backward.shape[^1]);
        CheckFlow(forward, backward.shape[2], backward.shape[3]);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var b = backward.to(float32);
        var w = forward.to(float32, b.device);
        var wTilde = Warp(w, b);
        // Numbers become scalars disposed here, not left to the garbage collector (which may free one during the native call).
        using var one = 1.ToScalar();
        using var two = 2.ToScalar();
        using var relative = 0.01.ToScalar();
        using var disocclusionFloor = 0.5.ToScalar();
        using var boundaryFloor = 0.002.ToScalar();
        var sum = wTilde.add(b, one).pow(two).sum(1, keepdim: true);
        var magnitudes = wTilde.pow(two).sum(1, keepdim: true).add(b.pow(two).sum(1, keepdim: true), one);
        var disoccluded = sum.gt(magnitudes.mul(relative).add(disocclusionFloor, one));

        var gradient = Gradient(b, one, two);
        var boundary = gradient.gt(b.pow(two).sum(1, keepdim: true).mul(relative).add(boundaryFloor, one));

        var outside = OutsideFrame(b);
        return disoccluded.logical_or(boundary).logical_or(outside).logical_not().to(float32).MoveToOuterDisposeScope();
    }

    /// <summary>Checks that <paramref name="flow"/> is a <c>[1,2,height,width]</c> tensor.</summary>
    internal static void CheckFlow(Tensor flow, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.dim() != 4 || flow.shape[0] != 1 || flow.shape[1] != 2 || flow.shape[2] != height || flow.shape[3] != width)
        {
            throw new ArgumentException($"A flow must be [1,2,{height},{width}]; got [{string.Join(",", flow.shape)}].", nameof(flow));
        }
    }

    // grid_sample's grid: [1,H,W,2] of (x, y) in [-1, 1], with align_corners: -1 and 1 are the centres of the edge pixels.
    private static Tensor SamplingGrid(Tensor flow)
    {
        long height = flow.shape[2], width = flow.shape[3];
        using var zero = 0.ToScalar();
        using var one = 1.ToScalar();
        using var columns = width.ToScalar();
        using var rows = height.ToScalar();
        using var xScale = (2.0 / Math.Max(1, width - 1)).ToScalar();
        using var yScale = (2.0 / Math.Max(1, height - 1)).ToScalar();
        var xs = arange(zero, columns, one, dtype: flow.dtype, device: flow.device).view(1, 1, width).expand(1, height, width);
        var ys = arange(zero, rows, one, dtype: flow.dtype, device: flow.device).view(1, height, 1).expand(1, height, width);
        var x = xs.add(flow.select(1, 0), one).mul(xScale).sub(one);
        var y = ys.add(flow.select(1, 1), one).mul(yScale).sub(one);
        return stack([x, y], dim: -1);
    }

    // |∇u|² + |∇v|² with forward differences (0 at the last row and column).
    private static Tensor Gradient(Tensor flow, Scalar one, Scalar two)
    {
        var dx = F.pad(flow.narrow(3, 1, flow.shape[3] - 1).sub(flow.narrow(3, 0, flow.shape[3] - 1)), [0, 1, 0, 0]);
        var dy = F.pad(flow.narrow(2, 1, flow.shape[2] - 1).sub(flow.narrow(2, 0, flow.shape[2] - 1)), [0, 0, 0, 1]);
        return dx.pow(two).add(dy.pow(two), one).sum(1, keepdim: true);
    }

    private static Tensor OutsideFrame(Tensor flow)
    {
        long height = flow.shape[2], width = flow.shape[3];
        using var zero = 0.ToScalar();
        using var one = 1.ToScalar();
        using var columns = width.ToScalar();
        using var rows = height.ToScalar();
        using var lastColumn = (width - 1).ToScalar();
        using var lastRow = (height - 1).ToScalar();
        var xs = arange(zero, columns, one, dtype: flow.dtype, device: flow.device).view(1, 1, 1, width);
        var ys = arange(zero, rows, one, dtype: flow.dtype, device: flow.device).view(1, 1, height, 1);
        var x = xs.add(flow.narrow(1, 0, 1), one);
        var y = ys.add(flow.narrow(1, 1, 1), one);
        return x.lt(zero).logical_or(x.gt(lastColumn)).logical_or(y.lt(zero)).logical_or(y.gt(lastRow));
    }
}
