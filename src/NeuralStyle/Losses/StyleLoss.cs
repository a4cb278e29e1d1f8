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
    private readonly int[] _layers;
    private readonly Tensor[] _targets;
    private readonly double[] _weights;
    private readonly Tensor? _mask;

    /// <summary>Initializes a new instance of the <see cref="StyleLoss"/> class.</summary>
    /// <param name="layers">The feature layers compared.</param>
    /// <param name="targetGrams">The style image's Gram matrices <c>A_l</c> (see <see cref="GramMatrix"/>), one per layer; copied, not disposed.</param>
    /// <param name="weights">The weights <c>w_l</c>, one per layer; finite and not negative.</param>
    /// <param name="normalizeGram">Whether the Gram matrices are divided by C·H·W, as the targets must be.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, or a weight is negative or not finite.</exception>
    public StyleLoss(IReadOnlyList<int> layers, IReadOnlyList<Tensor> targetGrams, IReadOnlyList<double> weights, bool normalizeGram = true)
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

        _layers = layers.ToArray();
        _weights = weights.ToArray();
        _targets = targetGrams.Select(Own).ToArray();
        NormalizeGram = normalizeGram;
    }

    /// <summary>Initializes a new instance of the <see cref="StyleLoss"/> class whose Gram matrices cover a region.</summary>
    /// <param name="layers">The feature layers compared.</param>
    /// <param name="targetGrams">The style targets <c>A_l</c>, one per layer; copied, not disposed.</param>
    /// <param name="weights">The weights <c>w_l</c>, one per layer; finite and not negative.</param>
    /// <param name="mask">
    /// The region, <c>[1,1,H,W]</c> (or <c>[H,W]</c>) with values in [0, 1] at the image's size, on the run's device; resized to
    /// each layer's size. <see langword="null"/> means the whole image. Copied, not disposed.
    /// </param>
    /// <param name="normalizeGram">Whether the Gram matrices are normalised (by C times the mask's area), as the targets must be.</param>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, a weight is negative or not finite, or the mask is not 2-D to 4-D.</exception>
    public StyleLoss(IReadOnlyList<int> layers, IReadOnlyList<Tensor> targetGrams, IReadOnlyList<double> weights, Tensor? mask, bool normalizeGram = true)
        : this(layers, targetGrams, weights, normalizeGram)
    {
        if (mask is not null)
        {
            if (mask.dim() is < 2 or > 4)
            {
                throw new ArgumentException($"Expected a mask of shape [1,1,H,W] or [H,W]; got [{string.Join(",", mask.shape)}].", nameof(mask));
            }

            _mask = Own(mask);
        }
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
    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var total = Term(features, 0);
        for (var i = 1; i < _layers.Length; i++)
        {
            total = total.add(Term(features, i));
        }

        return total;
    }

    private Tensor Term(FeatureMaps features, int i)
    {
        var gram = _mask is null
            ? GramMatrix.Compute(features[_layers[i]], NormalizeGram)
            : GramMatrix.ComputeMasked(features[_layers[i]], _mask, NormalizeGram);
        if (gram.shape[^1] != _targets[i].shape[^1])
        {
            throw new ArgumentException(
                $"Style target at layer {_layers[i]} is {_targets[i].shape[^1]}×{_targets[i].shape[^1]} but the features have {gram.shape[^1]} channels.",
                nameof(features));
        }

        return gram.sub(_targets[i]).square().sum().mul(_weights[i]);
    }
}
