using System;
using static TorchSharp.torch;

namespace NeuralStyle.Internal;

/// <summary>Channels-last memory (NHWC strides under the NCHW shape), which the CPU path uses for its feature maps.</summary>
internal static class ChannelsLast
{
    /// <summary>Whether <paramref name="tensor"/>, an [N,C,H,W] tensor, has its channels next to each other in memory.</summary>
    public static bool Is(Tensor tensor) => tensor.size(1) > 1 && tensor.stride(1) == 1;

    /// <summary>
    /// Whether <paramref name="tensor"/>'s memory is dense in one of the two layouts the CPU kernels read: contiguous, or
    /// an [N,C,H,W] tensor in channels-last memory (strides of dimensions of size 1 aside).
    /// </summary>
    public static bool IsDense(Tensor tensor)
    {
        if (tensor.is_contiguous())
        {
            return true;
        }

        if (tensor.dim() != 4)
        {
            return false;
        }

        long c = tensor.size(1), h = tensor.size(2), w = tensor.size(3);
        ReadOnlySpan<long> strides = [h * w * c, 1, w * c, c];
        for (var d = 0; d < 4; d++)
        {
            if (tensor.size(d) > 1 && tensor.stride(d) != strides[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A contiguous view of a tensor for which <see cref="IsDense"/> holds, its elements in memory order: the tensor itself
    /// when contiguous, its [N,H,W,C] view when channels-last. Owned by the current dispose scope.
    /// </summary>
    public static Tensor MemoryOrder(Tensor tensor) => tensor.is_contiguous() ? tensor.alias() : tensor.permute(0, 2, 3, 1);

    /// <summary>
    /// The [N,H,W,C] contiguous view of an [N,C,H,W] tensor's values, without a graph: the tensor's own memory where it is
    /// channels-last, a copy otherwise. Owned by the current dispose scope.
    /// </summary>
    public static Tensor DenseNhwc(Tensor tensor)
    {
        var view = tensor.detach().permute(0, 2, 3, 1);
        return view.is_contiguous() ? view : view.contiguous();
    }

    /// <summary>A copy of an [N,C,H,W] tensor with the same shape and NHWC strides, owned by the current dispose scope.</summary>
    public static Tensor Copy(Tensor tensor) => tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
