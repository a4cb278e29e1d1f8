using System;
using System.Collections.Generic;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// Gradients that terms hand to the optimiser's backward pass instead of building them into their own graphs: per feature
/// layer, the sum of the handed terms' gradients with respect to that layer's output. The backward pass starts from each
/// layer with its gradient, beside the other terms' sum, so a handed term adds no node, no saved tensor and no
/// feature-map-sized copy of its gradient to the graph (the surrogate <c>Σ F·g</c> that <see cref="ILoss.Compute"/>
/// returns has autograd multiply <c>g</c> by the term's incoming gradient and add the product to the layer's gradient).
/// Owns the gradients; dispose it once the backward pass has run.
/// </summary>
internal sealed class LayerGradients : IDisposable
{
    private readonly SortedDictionary<int, Tensor> _byLayer = [];

    /// <summary>Gets the layers that have a gradient, in ascending order.</summary>
    public IReadOnlyCollection<int> Layers => _byLayer.Keys;

    /// <summary>Gets the gradients, in the order of <see cref="Layers"/>.</summary>
    public IReadOnlyCollection<Tensor> Gradients => _byLayer.Values;

    /// <summary>Gets the sum of the handed terms' gradients with respect to the image itself (<see cref="Features.FeatureMaps.Image"/>), or null.</summary>
    public Tensor? Image { get; private set; }

    /// <summary>Adds a term's gradient with respect to the image itself, as <see cref="Add"/> does for a layer.</summary>
    /// <param name="gradient">The term's gradient, shaped and laid out like the image.</param>
    public void AddToImage(Tensor gradient) => Image = Accumulate(Image, gradient);

    /// <summary>
    /// Adds a term's gradient with respect to a layer's output (the layer's shape and memory layout). The first gradient
    /// of a layer is taken over (out of its dispose scope); later ones are added to it in place and stay with their scope.
    /// </summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="gradient">The term's gradient; multiplied by nothing further (the term enters the total with weight 1).</param>
    public void Add(int layer, Tensor gradient) => _byLayer[layer] = Accumulate(_byLayer.GetValueOrDefault(layer), gradient);

    // The first gradient is taken over; later ones are added to it in place.
    private static Tensor Accumulate(Tensor? sum, Tensor gradient)
    {
        Guard.NotNull(gradient);
        return sum is null ? gradient.DetachFromDisposeScope() : sum.add_(gradient, OwnedScalars.One);
    }

    /// <summary>Disposes the gradients.</summary>
    public void Dispose()
    {
        foreach (var gradient in _byLayer.Values)
        {
            gradient.Dispose();
        }

        _byLayer.Clear();
        Image?.Dispose();
        Image = null;
    }
}
