using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>Style loss: <c>Σ_l w_l · Σ (G_l − A_l)²</c> between the Gram matrices of the image and of the style image.</summary>
public sealed class StyleLoss : LossBase
{
    private readonly int[] _layers;
    private readonly Tensor[] _targets;
    private readonly double[] _weights;

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
        var gram = GramMatrix.Compute(features[_layers[i]], NormalizeGram);
        if (gram.shape[^1] != _targets[i].shape[^1])
        {
            throw new ArgumentException(
                $"Style target at layer {_layers[i]} is {_targets[i].shape[^1]}×{_targets[i].shape[^1]} but the features have {gram.shape[^1]} channels.",
                nameof(features));
        }

        return gram.sub(_targets[i]).square().sum().mul(_weights[i]);
    }
}
