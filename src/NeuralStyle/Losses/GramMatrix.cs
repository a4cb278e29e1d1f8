using System;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>Gram matrices of feature maps: <c>G = F Fᵀ</c> with F the C×(H·W) features of one image.</summary>
public static class GramMatrix
{
    private const long MinimumPositionsPerChunk = 1024;

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
        long n = batched.size(0), c = batched.size(1), hw = batched.size(2) * batched.size(3);
        var flat = batched.reshape(n, c, hw);
        var gram = Product(flat, flat);
        if (normalize)
        {
            using var size = (c * hw).ToScalar();
            gram = gram.div(size);
        }

        return (dims == 4 ? gram : gram.squeeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Computes mask-weighted Gram matrices: <c>G = Σ_p m_p f_p f_pᵀ</c> over the positions <c>p</c>, divided by
    /// <c>C · Σ_p m_p</c> when normalised, so the statistics describe only the region the mask selects. With a mask of
    /// ones this is <see cref="Compute"/>.
    /// </summary>
    /// <param name="features">Features of shape <c>[N,C,H,W]</c> (or <c>[C,H,W]</c>). Not disposed.</param>
    /// <param name="mask">
    /// Weights in [0, 1], shaped <c>[h,w]</c>, <c>[1,h,w]</c> or <c>[1 or N,1,h,w]</c>, on the features' device; resized to
    /// H×W with antialiased bilinear interpolation when the size differs. Not disposed.
    /// </param>
    /// <param name="normalize"><see langword="true"/> divides by C times the mask's area (at least 1e-8).</param>
    /// <returns>A fresh tensor of shape <c>[N,C,C]</c> (or <c>[C,C]</c> for a 3-D input).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The features or the mask have an unexpected shape.</exception>
    public static Tensor ComputeMasked(Tensor features, Tensor mask, bool normalize = true)
    {
        Guard.NotNull(features);
        Guard.NotNull(mask);
        var dims = features.dim();
        if (dims is not (3 or 4))
        {
            throw new ArgumentException($"Expected features of shape [N,C,H,W] or [C,H,W]; got [{string.Join(",", features.shape)}].", nameof(features));
        }

        using var scope = NewDisposeScope();
        var batched = dims == 4 ? features : features.unsqueeze(0);
        long n = batched.size(0), c = batched.size(1), h = batched.size(2), w = batched.size(3);
        var weights = PositionWeights(mask, batched);
        var flat = batched.reshape(n, c, h * w);
        var gram = Product(flat.mul(weights), flat);
        if (normalize)
        {
            gram = gram.div(MaskedDivisor(weights, c));
        }

        return (dims == 4 ? gram : gram.squeeze(0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>A Bᵀ</c> for <c>[N,C,P]</c> operands (P positions): the product behind every Gram matrix. <c>F Fᵀ</c> of one
    /// channels-last CPU feature map outside autograd is <see cref="SymmetricGram"/>'s. Otherwise, for one image with many
    /// positions, the sum over positions is split into one chunk per libtorch thread and the chunks' products added, so
    /// that all threads share it: a single product has only a C×C result to divide among them.
    /// </summary>
    internal static Tensor Product(Tensor left, Tensor right) =>
        ReferenceEquals(left, right) && SymmetricGram.TryCompute(left) is { } symmetric ? symmetric : BlasProduct(left, right);

    /// <summary><c>A Bᵀ</c> through libtorch's matrix product, split over its threads as <see cref="Product"/> describes.</summary>
    internal static Tensor BlasProduct(Tensor left, Tensor right)
    {
        long n = left.size(0), c = left.size(1), positions = left.size(2);
        var chunks = (long)torch.get_num_threads();
        if (n != 1 || chunks < 2 || positions < chunks * MinimumPositionsPerChunk)
        {
            return bmm(left, right.transpose(1, 2));
        }

        var length = positions / chunks;
        var split = chunks * length;
        Tensor Chunked(Tensor t) => t.narrow(2, 0, split).reshape(c, chunks, length).transpose(0, 1);
        var gram = bmm(Chunked(left), Chunked(right).transpose(1, 2)).sum(0, keepdim: true);
        return split == positions ? gram : gram.add_(bmm(left.narrow(2, split, positions - split), right.narrow(2, split, positions - split).transpose(1, 2)), OwnedScalars.One);
    }

    /// <summary>
    /// Checks a mask against <c>[N,C,H,W]</c> features and returns its values at the features' positions, <c>[1 or N,1,H·W]</c>,
    /// resized with antialiased bilinear interpolation when the size differs.
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape does not fit the features.</exception>
    internal static Tensor PositionWeights(Tensor mask, Tensor batchedFeatures)
    {
        var maskDims = mask.dim();
        if (maskDims is < 2 or > 4 || (maskDims >= 3 && mask.size(-3) != 1) || (maskDims == 4 && mask.size(0) != 1 && mask.size(0) != batchedFeatures.size(0)))
        {
            throw new ArgumentException($"Expected a mask of shape [h,w], [1,h,w] or [1 or N,1,h,w]; got [{string.Join(",", mask.shape)}].", nameof(mask));
        }

        using var scope = NewDisposeScope();
        long h = batchedFeatures.size(2), w = batchedFeatures.size(3);
        var m = mask.to(batchedFeatures.dtype).reshape(maskDims == 4 ? mask.size(0) : 1, 1, mask.size(-2), mask.size(-1));
        if (m.size(2) != h || m.size(3) != w)
        {
            m = nn.functional.interpolate(m, [h, w], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        }

        return m.reshape(m.size(0), 1, h * w).MoveToOuterDisposeScope();
    }

    /// <summary>The normaliser of mask-weighted Gram matrices: the channels times the mask's area (at least 1e-8), <c>[1 or N,1,1]</c>.</summary>
    internal static Tensor MaskedDivisor(Tensor positionWeights, long channels)
    {
        using var smallestArea = 1e-8.ToScalar();
        using var channelCount = channels.ToScalar();
        return positionWeights.sum(-1, keepdim: true).clamp_min(smallestArea).mul(channelCount);
    }
}
