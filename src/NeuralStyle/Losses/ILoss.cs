using System.Collections.Generic;
using NeuralStyle.Features;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// One term of the objective that style transfer minimises. Implement it to add your own term.
/// </summary>
public interface ILoss
{
    /// <summary>Gets the name under which the term's value is reported.</summary>
    /// <value>For example <c>content</c>, <c>style</c> or <c>tv</c>.</value>
    string Name { get; }

    /// <summary>Gets the feature layers the term reads.</summary>
    /// <value>Layer indices of the feature extractor; empty for terms that read only the image pixels.</value>
    IReadOnlyCollection<int> Layers { get; }

    /// <summary>Computes the weighted value of the term.</summary>
    /// <param name="features">The features of the image being optimised, including <see cref="FeatureMaps.Image"/>. Not disposed.</param>
    /// <returns>A fresh scalar tensor that the caller owns, differentiable with respect to the image.</returns>
    Tensor Compute(FeatureMaps features);
}
