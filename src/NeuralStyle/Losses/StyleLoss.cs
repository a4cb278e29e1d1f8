using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// Style loss: <c>Σ_l w_l · Σ (G_l − A_l)²</c> between the Gram matrices of the image and of the style image; with a mask,
/// the image's Gram matrices are mask-weighted (<see cref="GramMatrix.ComputeMasked"/>), so the style applies to that region.
/// </summary>
public sealed class StyleLoss : LossBase
{
    /// <inheritdoc />
    internal override bool HandsOffEveryGradient => true;

    private readonly int[] _layers;
    private readonly Tensor[] _targets;
    private readonly double[] _weights;
    private readonly Tensor? _mask;

    /// <summary>Initializes a new instance of the <see cref="StyleLoss"/> class.</summary>
    /// <param name="layers">The feature layers compared.</param>
    /// <param name="targetGrams">The style image's Gram matrices <c>A_l</c> (see <see cref="GramMatrix"/>), one per layer; copied, not disposed.</param>
    /// <param name="weights">The weights <c>w_l</c>, one per layer; finite and not negative.</param>
    /// <param name="mask">
    /// The region whose statistics are compared, <c>[1,1,H,W]</c> (or <c>[H,W]</c>) with values in [0, 1] at the image's size,
    /// on the run's device; resized to each layer's size. <see langword="null"/> (the default) means the whole image.
    /// Copied, not disposed.
    /// </param>
    /// <param name="normalizeGram">
    /// Whether the Gram matrices are normalised — by C·H·W, or by C times the mask's area with a mask — as the targets must be.
    /// </param>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The lists are empty or of different lengths, a weight is negative or not finite, or the mask is not 2-D to 4-D.
    /// </exception>
    public StyleLoss(IReadOnlyList<int> layers, IReadOnlyList<Tensor> targetGrams, IReadOnlyList<double> weights, Tensor? mask = null, bool normalizeGram = true)
        : base("style", Guard.NotEmpty(layers).ToArray())
    {
        Guard.NotNull(targetGrams);
        Guard.NotNull(weights);
        if (targetGrams.Count != layers.Count || weights.Count != layers.Count)
        {
            throw new ArgumentException(
                $"Style loss needs one target and one weight per layer; got {layers.Count} layers, {targetGrams.Count} targets and {weights.Count} weights.",
                nameof(targetGrams));
        }

        foreach (var weight in weights)
        {
            if (!double.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"Style weights must be finite and not negative; got {weight}.", nameof(weights));
            }
        }

        if (mask is not null && mask.dim() is < 2 or > 4)
        {
            throw new ArgumentException($"Expected a mask of shape [1,1,H,W] or [H,W]; got [{string.Join(",", mask.shape)}].", nameof(mask));
        }

        _layers = layers.ToArray();
        _weights = weights.ToArray();
        _targets = targetGrams.Select(Own).ToArray();
        _mask = mask is null ? null : Own(mask);
        NormalizeGram = normalizeGram;
    }

    /// <summary>Gets a value indicating whether the Gram matrices are restricted to a masked region.</summary>
    /// <value><see langword="true"/> when a mask was given.</value>
    public bool IsMasked => _mask is not null;

    /// <summary>Gets the per-layer weights.</summary>
    /// <value>One weight per entry of <see cref="ILoss.Layers"/>.</value>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Gets a value indicating whether Gram matrices are normalised by C·H·W.</summary>
    /// <value><see langword="true"/> for the seed's convention.</value>
    public bool NormalizeGram { get; }

    /// <summary>Computes each layer's weighted term separately (for reporting).</summary>
    /// <param name="features">The features of the image.</param>
    /// <returns>One fresh scalar tensor per layer, owned by the caller.</returns>
    public IReadOnlyList<Tensor> ComputeTerms(FeatureMaps features)
    {
        Guard.NotNull(features);
        using var scope = NewDisposeScope();
        var terms = new Tensor[_layers.Length];
        for (var i = 0; i < _layers.Length; i++)
        {
            terms[i] = Term(features, i).MoveToOuterDisposeScope();
        }

        return terms;
    }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features) => Total(features, handOff: null);

    /// <inheritdoc />
    private protected override Tensor ComputeCore(FeatureMaps features, LayerGradients handOff) => Total(features, handOff);

    private Tensor Total(FeatureMaps features, LayerGradients? handOff)
    {
        var total = Term(features, 0, handOff);
        for (var i = 1; i < _layers.Length; i++)
        {
            total = total.add(Term(features, i, handOff), OwnedScalars.One);
        }

        return total;
    }

    private Tensor Term(FeatureMaps features, int i, LayerGradients? handOff = null)
    {
        var layer = features[_layers[i]];
        CheckChannels(layer, i);
        if (layer.dim() == 4 && layer.requires_grad && is_grad_enabled())
        {
            return TermWithExplicitGradient(layer, i, handOff);
        }

        var gram = _mask is null
            ? GramMatrix.Compute(layer, NormalizeGram)
            : GramMatrix.ComputeMasked(layer, _mask, NormalizeGram);
        return gram.sub(_targets[i]).pow(OwnedScalars.Two).sum().mul(OwnScalar(_weights[i]));
    }

    // Used whenever a gradient is wanted. With G = (F∘m) Fᵀ / n and D = G − A, the gradient of w·Σ D² is (2w/n)(D + Dᵀ)(F∘m): one matrix product where autograd
    // spends two on the Gram matrix's backward. Handed off, the gradient goes to the backward pass and the value is returned
    // without a graph; otherwise the returned scalar has the loss as its value and that gradient (the product enters
    // through a surrogate Σ F·g whose value cancels out).
    private Tensor TermWithExplicitGradient(Tensor layer, int i, LayerGradients? handOff)
    {
        Tensor value, gradient;
        using (no_grad())
        {
            long n = layer.size(0), c = layer.size(1), hw = layer.size(2) * layer.size(3);
            var flat = layer.detach().reshape(n, c, hw);
            var weights = _mask is null ? null : GramMatrix.PositionWeights(_mask, layer);
            var weighted = weights is null ? flat : flat.mul(weights);
            var gram = GramMatrix.Product(weighted, flat);
            Tensor? divisor = null;
            if (NormalizeGram)
            {
                divisor = weights is null ? tensor((double)(c * hw), gram.dtype, gram.device) : GramMatrix.MaskedDivisor(weights, c);
                gram = gram.div_(divisor);
            }

            var difference = gram.sub_(_targets[i]);
            value = difference.pow(OwnedScalars.Two).sum().mul_(OwnScalar(_weights[i]));
            var symmetric = difference.add(difference.transpose(1, 2), OwnedScalars.One).mul_(OwnScalar(2 * _weights[i]));
            if (divisor is not null)
            {
                symmetric = symmetric.div_(divisor);
            }

            if (handOff is { Defers: true })
            {
                // Formed when the backward pass reaches the layer: until then only S (C×C) is held.
                handOff.Defer(_layers[i], [symmetric, weighted, layer.detach()], static t => Product(t[0], t[1], t[2]));
                return value;
            }

            gradient = Product(symmetric, weighted, layer);
        }

        if (handOff is not null)
        {
            handOff.Add(_layers[i], gradient);
            return value;
        }

        // A dot product of the flat views, not a sum of the element-wise product: no feature-map-sized temporary.
        var surrogate = Flat(layer).dot(Flat(gradient));
        return value.add(surrogate.sub(surrogate.detach()), OwnedScalars.One);
    }

    // S·F, the gradient of the term with respect to the layer (up to S's factor), in the layer's own memory layout, so
    // the backward pass needs no reordering.
    private static Tensor Product(Tensor symmetric, Tensor weighted, Tensor layer) => ChannelsLast.Is(layer)
        ? InChannelsLast(ChannelsLastProduct(symmetric, weighted, layer))
        : bmm(symmetric, weighted).reshape(layer.shape);

    /// <summary>
    /// S·F at every position of a channels-last layer, for a symmetric S (<paramref name="symmetric"/>, one per image) and the
    /// layer's flat (N, C, H·W) view <paramref name="weighted"/>. For one image it is a 1×1 convolution with S as its kernel,
    /// which runs in oneDNN's convolution kernels (AVX-512 where the CPU has it; measured faster than the BLAS product, see
    /// docs/performance.md) and comes back channels-last; a batch is one product per image, (SF)ᵀ = FᵀS.
    /// </summary>
    internal static Tensor ChannelsLastProduct(Tensor symmetric, Tensor weighted, Tensor layer)
    {
        long n = layer.size(0), c = layer.size(1), h = layer.size(2), w = layer.size(3);
        if (n > 1)
        {
            return bmm(weighted.transpose(1, 2), symmetric).reshape(n, h, w, c).permute(0, 3, 1, 2);
        }

        // Through NHWC so that every stride, the batch's too, reads as channels-last and the convolution keeps that layout.
        var input = weighted.transpose(1, 2).reshape(n, h, w, c).permute(0, 3, 1, 2);
        return nn.functional.conv2d(input, symmetric.view(c, c, 1, 1));
    }

    // The gradient must be in the layer's layout: for the surrogate's flat views to pair the same elements, and, handed
    // off, so that the backward pass from the layer reads one layout.
    private static Tensor InChannelsLast(Tensor product) => ChannelsLast.Is(product) ? product : ChannelsLast.Copy(product);

    // A 1-D view of the elements in memory order (NHWC for channels-last), so that no copy is made.
    private static Tensor Flat(Tensor layer) => ChannelsLast.Is(layer) ? layer.permute(0, 2, 3, 1).reshape(-1) : layer.reshape(-1);

    private void CheckChannels(Tensor features, int i)
    {
        if (features.dim() < 3 || features.size(-3) != _targets[i].size(-1))
        {
            throw new ArgumentException(
                $"Style target at layer {_layers[i]} is {_targets[i].size(-1)}×{_targets[i].size(-1)} but the features have {(features.dim() < 3 ? 0 : features.size(-3))} channels.",
                nameof(features));
        }
    }
}
