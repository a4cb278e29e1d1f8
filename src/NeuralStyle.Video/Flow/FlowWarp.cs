using System;
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
        var sum = wTilde.add(b).square().sum(1, keepdim: true);
        var magnitudes = wTilde.square().sum(1, keepdim: true).add(b.square().sum(1, keepdim: true));
        var disoccluded = sum.gt(magnitudes.mul(0.01).add(0.5));

        var gradient = Gradient(b);
        var boundary = gradient.gt(b.square().sum(1, keepdim: true).mul(0.01).add(0.002));

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
        var xs = arange(0, width, 1, dtype: flow.dtype, device: flow.device).view(1, 1, width).expand(1, height, width);
        var ys = arange(0, height, 1, dtype: flow.dtype, device: flow.device).view(1, height, 1).expand(1, height, width);
        var x = xs.add(flow.select(1, 0)).mul(2.0 / Math.Max(1, width - 1)).sub(1);
        var y = ys.add(flow.select(1, 1)).mul(2.0 / Math.Max(1, height - 1)).sub(1);
        return stack([x, y], dim: -1);
    }

    // |∇u|² + |∇v|² with forward differences (0 at the last row and column).
    private static Tensor Gradient(Tensor flow)
    {
        var dx = F.pad(flow.narrow(3, 1, flow.shape[3] - 1).sub(flow.narrow(3, 0, flow.shape[3] - 1)), [0, 1, 0, 0]);
        var dy = F.pad(flow.narrow(2, 1, flow.shape[2] - 1).sub(flow.narrow(2, 0, flow.shape[2] - 1)), [0, 0, 0, 1]);
        return dx.square().add(dy.square()).sum(1, keepdim: true);
    }

    private static Tensor OutsideFrame(Tensor flow)
    {
        long height = flow.shape[2], width = flow.shape[3];
        var xs = arange(0, width, 1, dtype: flow.dtype, device: flow.device).view(1, 1, 1, width);
        var ys = arange(0, height, 1, dtype: flow.dtype, device: flow.device).view(1, 1, height, 1);
        var x = xs.add(flow.narrow(1, 0, 1));
        var y = ys.add(flow.narrow(1, 1, 1));
        return x.lt(0).logical_or(x.gt(width - 1)).logical_or(y.lt(0)).logical_or(y.gt(height - 1));
    }
}
