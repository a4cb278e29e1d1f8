using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;

namespace NeuralStyle;

public sealed partial record StyleTransferOptions
{
    /// <summary>Resolves the content terms: each content layer with its effective weight, <see cref="ContentWeight"/> times its layer weight.</summary>
    /// <returns><see cref="ContentLayers"/> (or just <see cref="ContentLayer"/>) with their weights.</returns>
    public IReadOnlyList<LayerWeight> ResolveContentLayers()
    {
        var layers = ContentLayers ?? [ContentLayer];
        var weights = ContentLayerWeights;
        return layers.Select((layer, i) => new LayerWeight(layer, weights is null ? ContentWeight : ContentWeight * weights[i])).ToArray();
    }

    /// <summary>
    /// Resolves the style terms: each style layer with its effective weight
    /// <c>w_l · s</c>, or <c>w_l · (T / Σ w) · s</c> with <see cref="NormalizeStyleWeightsTo"/> <c>T</c>, where <c>s</c> is <see cref="StyleStrength"/>.
    /// </summary>
    /// <returns><see cref="StyleLayers"/> with their weights.</returns>
    public IReadOnlyList<LayerWeight> ResolveStyleLayers()
    {
        var scale = StyleStrength;
        if (NormalizeStyleWeightsTo is { } total)
        {
            scale *= total / StyleWeights.Sum();
        }

        return StyleLayers.Select((layer, i) => new LayerWeight(layer, StyleWeights[i] * scale)).ToArray();
    }

    /// <summary>Resolves the blend weights of <paramref name="styleCount"/> style images, normalised to sum to 1.</summary>
    /// <param name="styleCount">The number of style images.</param>
    /// <returns>One weight per style image.</returns>
    /// <exception cref="ArgumentException"><see cref="StyleBlendWeights"/> does not have <paramref name="styleCount"/> valid entries.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="styleCount"/> is not positive.</exception>
    public IReadOnlyList<double> ResolveStyleBlendWeights(int styleCount)
    {
        Guard.Positive(styleCount);
        if (StyleBlendWeights is null)
        {
            return Enumerable.Repeat(1.0 / styleCount, styleCount).ToArray();
        }

        Check(StyleBlendWeights.Count == styleCount && StyleBlendWeights.All(w => double.IsFinite(w) && w >= 0) && StyleBlendWeights.Sum() > 0, nameof(StyleBlendWeights), $"must have one non-negative weight per style image ({styleCount}) with a positive sum");
        var sum = StyleBlendWeights.Sum();
        return StyleBlendWeights.Select(w => w / sum).ToArray();
    }

    /// <summary>Resolves the shorter side the style images are resized to.</summary>
    /// <param name="contentShorterSide">The content's shorter side after resizing to <see cref="ImageSize"/>.</param>
    /// <returns>
    /// <c>max(16, round(StyleScale × contentShorterSide))</c> with <see cref="StyleScale"/>; otherwise <see cref="StyleSize"/>, then
    /// <see cref="ImageSize"/>; <see langword="null"/> keeps the style image's own size.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contentShorterSide"/> is not positive.</exception>
    public int? ResolveStyleSize(int contentShorterSide)
    {
        Guard.Positive(contentShorterSide);
        return StyleScale is { } scale
            ? Math.Max(16, (int)Math.Round(scale * contentShorterSide, MidpointRounding.AwayFromZero))
            : StyleSize ?? ImageSize;
    }
}
