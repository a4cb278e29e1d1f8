using System;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>Gram matrices of feature maps: <c>G = F Fᵀ</c> with F the C×(H·W) features of one image.</summary>
public static class GramMatrix
{
    /// <summary>Computes the Gram matrix of each image's features.</summary>
    /// <param name="features">Features of shape <c>[N,C,H,W]</c> (or <c>[C,H,W]</c>). Not disposed.</param>
    /// <param name="normalize">
    /// <see langword="true"/> (the seed's convention) divides by C·H·W; <see langword="false"/> returns the raw <c>F Fᵀ</c>.
    /// </param>
    /// <returns>A fresh tensor of shape <c>[N,C,C]</c> (or <c>[C,C]</c> for a 3-D input).</returns>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not 3- or 4-dimensional.</exception>
    public static Tensor Compute(Tensor features, bool normalize = true)
    {
        Guard.NotNull(features);
        var dims = features.dim();
        if (dims is not (3 or 4))
        {
            throw new ArgumentException($"Expected features of shape [N,C,H,W] or [C,H,W]; got [{string.Join(",", features.shape)}].", nameof(features));
        }

        using var scope = NewDisposeScope();
        var batched = dims == 4 ? features : features.unsqueeze(0);
        long n = batched.shape[0], c = batched.shape[1], hw = batched.shape[2] * batched.shape[3];
        var flat = batched.reshape(n, c, hw);
        var gram = bmm(flat, flat.transpose(1, 2));
        if (normalize)
        {
            gram = gram.div(c * hw);
        }

        return (dims == 4 ? gram : gram.squeeze(0)).MoveToOuterDisposeScope();
    }
}
