using static TorchSharp.torch;

namespace NeuralStyle.Internal;

/// <summary>Channels-last memory (NHWC strides under the NCHW shape), which the CPU path uses for its feature maps.</summary>
internal static class ChannelsLast
{
    /// <summary>Whether <paramref name="tensor"/>, an [N,C,H,W] tensor, has its channels next to each other in memory.</summary>
    public static bool Is(Tensor tensor) => tensor.shape[1] > 1 && tensor.stride(1) == 1;

    /// <summary>A copy of an [N,C,H,W] tensor with the same shape and NHWC strides, owned by the current dispose scope.</summary>
    public static Tensor Copy(Tensor tensor) => tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
