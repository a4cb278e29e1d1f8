using System;
using System.Collections.Generic;
using System.Linq;
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
/// <param name="defers">
/// Whether terms may defer forming a gradient until the backward pass reaches its layer (<see cref="Defer"/>, read through
/// <see cref="Take"/>): set for a backward pass that runs layer by layer, so that the gradients of the layers below are not
/// alive while the layers above are worked through.
/// </param>
internal sealed class LayerGradients(bool defers = false) : IDisposable
{
    private readonly SortedDictionary<int, Tensor> _byLayer = [];
    private readonly SortedDictionary<int, List<DeferredGradient>> _deferred = [];

    /// <summary>Gets a value indicating whether terms may hand their gradients over with <see cref="Defer"/>.</summary>
    public bool Defers => defers;

    /// <summary>Gets the layers that have a gradient, formed or deferred, in ascending order.</summary>
    public IReadOnlyCollection<int> Layers => _deferred.Count == 0 ? _byLayer.Keys : [.. _byLayer.Keys.Union(_deferred.Keys).Order()];

    /// <summary>Gets the gradients, in the order of <see cref="Layers"/>, forming any that were deferred.</summary>
    public IReadOnlyCollection<Tensor> Gradients
    {
        get
        {
            foreach (var layer in _deferred.Keys.ToArray())
            {
                Form(layer);
            }

            return _byLayer.Values;
        }
    }

    /// <summary>
    /// Hands over a term's gradient with respect to a layer's output, to be formed when <see cref="Take"/> or
    /// <see cref="Gradients"/> asks for it; only where <see cref="Defers"/>.
    /// </summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="inputs">The tensors <paramref name="form"/> reads; taken over (out of their dispose scope) and disposed once it has run.</param>
    /// <param name="form">Forms the gradient from <paramref name="inputs"/> (called without gradient tracking, inside a dispose scope).</param>
    public void Defer(int layer, Tensor[] inputs, Func<Tensor[], Tensor> form)
    {
        Guard.NotNull(inputs);
        Guard.NotNull(form);
        if (!defers)
        {
            throw new InvalidOperationException("This hand-off forms gradients at once; use Add.");
        }

        foreach (var input in inputs)
        {
            input.DetachFromDisposeScope();
        }

        if (!_deferred.TryGetValue(layer, out var list))
        {
            _deferred[layer] = list = [];
        }

        list.Add(new DeferredGradient(inputs, form));
    }

    /// <summary>Removes a layer's gradient, forming what was deferred, and gives it to the caller, or null when it has none.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The sum of the layer's gradients, owned by the caller.</returns>
    public Tensor? Take(int layer)
    {
        Form(layer);
        return _byLayer.Remove(layer, out var gradient) ? gradient : null;
    }

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

    // Forms a layer's deferred gradients, one at a time, into its sum.
    private void Form(int layer)
    {
        if (!_deferred.Remove(layer, out var list))
        {
            return;
        }

        foreach (var deferred in list)
        {
            using (deferred)
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                Add(layer, deferred.Form());
            }
        }
    }

    // The first gradient is taken over; later ones are added to it in place.
    private static Tensor Accumulate(Tensor? sum, Tensor gradient)
    {
        Guard.NotNull(gradient);
        return sum is null ? gradient.DetachFromDisposeScope() : sum.add_(gradient, OwnedScalars.One);
    }

    /// <summary>Disposes the gradients, and what deferred ones would have read.</summary>
    public void Dispose()
    {
        foreach (var gradient in _byLayer.Values)
        {
            gradient.Dispose();
        }

        foreach (var deferred in _deferred.Values.SelectMany(list => list))
        {
            deferred.Dispose();
        }

        _deferred.Clear();
        _byLayer.Clear();
        Image?.Dispose();
        Image = null;
    }

    /// <summary>A gradient to be formed later from tensors it owns.</summary>
    private sealed class DeferredGradient(Tensor[] inputs, Func<Tensor[], Tensor> form) : IDisposable
    {
        public Tensor Form() => form(inputs);

        public void Dispose()
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }
}
