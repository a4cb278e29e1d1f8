using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Objective;

/// <summary>
/// The style images' Gram matrices of one stage, computed once and shared by every loss made from them (every tile of a
/// tiled stage, every image of a batch): either the blend <c>A_l = Σ_k w_k · Gram_k,l</c> or, with style masks, each style's own.
/// </summary>
internal sealed class StyleTargets : IDisposable
{
    private StyleTargets(int[] layers, double[] weights, Tensor[]? blended, Tensor[][]? perStyle, IReadOnlyList<double> blend)
    {
        Layers = layers;
        Weights = weights;
        Blended = blended;
        PerStyle = perStyle;
        Blend = blend;
    }

    /// <summary>Gets the style layers.</summary>
    public int[] Layers { get; }

    /// <summary>Gets the style layers' weights.</summary>
    public double[] Weights { get; }

    /// <summary>Gets the blended targets, one per layer, or null when each style has its own region.</summary>
    public Tensor[]? Blended { get; }

    /// <summary>Gets each style's targets, or null when they are blended.</summary>
    public Tensor[][]? PerStyle { get; }

    /// <summary>Gets the normalised blend weights, one per style.</summary>
    public IReadOnlyList<double> Blend { get; }

    /// <summary>Computes the targets of <paramref name="styles"/> (normalised, on the extractor's device).</summary>
    public static StyleTargets Compute(IFeatureExtractor extractor, Tensor[] styles, StyleTransferOptions options, bool perStyle)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var styleLayers = options.ResolveStyleLayers();
        int[] layers = [.. styleLayers.Select(l => l.Layer)];
        double[] weights = [.. styleLayers.Select(l => l.Weight)];
        var grams = new Tensor[styles.Length][];
        for (var k = 0; k < styles.Length; k++)
        {
            using var styleFeatures = extractor.Extract(styles[k], layers.Max());
            grams[k] = layers.Select(l => GramMatrix.Compute(styleFeatures[l])).ToArray();
        }

        var blend = options.ResolveStyleBlendWeights(styles.Length);
        if (perStyle)
        {
            return new StyleTargets(layers, weights, null, [.. grams.Select(g => g.Select(Keep).ToArray())], blend);
        }

        // A_l = Σ_k w_k · Gram_k,l; with one style the targets are its Gram matrices as they are.
        var targets = styles.Length == 1
            ? grams[0]
            : layers.Select((_, i) => BlendedGram(grams, i, blend)).ToArray();
        return new StyleTargets(layers, weights, [.. targets.Select(Keep)], null, blend);
    }

    // Σ_k w_k · Gram_k,i, each weight a scalar disposed at once (see OwnedScalars).
    private static Tensor BlendedGram(Tensor[][] grams, int layer, IReadOnlyList<double> blend)
    {
        Tensor? sum = null;
        for (var k = 0; k < grams.Length; k++)
        {
            using var weight = blend[k].ToScalar();
            var term = grams[k][layer].mul(weight);
            sum = sum is null ? term : sum.add(term, OwnedScalars.One);
        }

        return sum!;
    }

    /// <summary>Releases the targets.</summary>
    public void Dispose()
    {
        foreach (var tensor in (Blended ?? []).Concat((PerStyle ?? []).SelectMany(t => t)))
        {
            tensor.Dispose();
        }
    }

    private static Tensor Keep(Tensor tensor) => tensor.DetachFromDisposeScope();
}
