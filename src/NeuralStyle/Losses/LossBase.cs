using System;
using System.Collections.Generic;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// A base for losses that keep their own detached copies of target tensors and release them on dispose.
/// </summary>
public abstract class LossBase : ILoss, IDisposable
{
    private readonly List<Tensor> _owned = [];
    private readonly OwnedScalars _scalars = new();
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="LossBase"/> class.</summary>
    /// <param name="name">The name under which the term is reported.</param>
    /// <param name="layers">The feature layers the term reads.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or a layer index is negative.</exception>
    protected LossBase(string name, IReadOnlyCollection<int> layers)
    {
        Name = Guard.NotNullOrWhiteSpace(name);
        Guard.NotNull(layers);
        foreach (var layer in layers)
        {
            if (layer < 0)
            {
                throw new ArgumentException($"Layer index {layer} is negative.", nameof(layers));
            }
        }

        Layers = layers;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<int> Layers { get; }

    /// <inheritdoc />
    public Tensor Compute(FeatureMaps features) => Compute(features, handOff: null);

    /// <summary>
    /// Computes the term for an optimisation step: a term that forms its gradient explicitly hands it to
    /// <paramref name="handOff"/> and returns its value without a graph; other terms return what <see cref="Compute(FeatureMaps)"/> returns.
    /// </summary>
    /// <param name="features">The features of the image being optimised.</param>
    /// <param name="handOff">Receives explicit gradients; <see langword="null"/> for <see cref="Compute(FeatureMaps)"/>'s result.</param>
    internal Tensor Compute(FeatureMaps features, LayerGradients? handOff)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.NotNull(features);
        foreach (var layer in Layers)
        {
            if (layer >= features.Count)
            {
                throw new ArgumentException($"The '{Name}' loss reads layer {layer}, but only layers 0 to {features.Count - 1} were computed.", nameof(features));
            }
        }

        using var scope = NewDisposeScope();
        return (handOff is null ? ComputeCore(features) : ComputeCore(features, handOff)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Gets a value indicating whether the term hands every gradient of an optimisation step over
    /// (<see cref="Compute(FeatureMaps, LayerGradients)"/>) and builds no graph; only then may the step's backward pass
    /// run one stretch of the network at a time (<see cref="Optimization.SegmentedBackward"/>).
    /// </summary>
    internal virtual bool HandsOffEveryGradient => false;

    /// <summary>Releases the target tensors this loss owns.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Computes the term; called inside a dispose scope, so intermediate tensors need no disposing.</summary>
    /// <param name="features">The features of the image being optimised.</param>
    /// <returns>The weighted scalar value.</returns>
    protected abstract Tensor ComputeCore(FeatureMaps features);

    /// <summary>
    /// Computes the term for an optimisation step, inside a dispose scope: a term that forms its gradient explicitly adds it
    /// to <paramref name="handOff"/> and returns its value without a graph. The default builds the graph (<see cref="ComputeCore(FeatureMaps)"/>).
    /// </summary>
    private protected virtual Tensor ComputeCore(FeatureMaps features, LayerGradients handOff) => ComputeCore(features);

    /// <summary>Makes a detached copy of a target that this loss owns until it is disposed.</summary>
    /// <param name="target">The caller's tensor; it is neither changed nor disposed.</param>
    /// <returns>The copy.</returns>
    protected Tensor Own(Tensor target)
    {
        Guard.NotNull(target);
        using var noGrad = no_grad();
        var copy = target.detach().clone().DetachFromDisposeScope();
        _owned.Add(copy);
        return copy;
    }

    /// <summary>
    /// Gets a TorchSharp scalar of <paramref name="value"/> that this loss owns until it is disposed: pass it where
    /// <see cref="ComputeCore(FeatureMaps)"/> multiplies by a weight, instead of the number, which TorchSharp would convert into a
    /// scalar left to the garbage collector at every call.
    /// </summary>
    /// <param name="value">The number, such as the term's weight.</param>
    /// <returns>The scalar, made once per value; not to be disposed by the caller.</returns>
    protected TorchSharp.Scalar OwnScalar(double value) => _scalars[value];

    /// <summary>Releases the owned targets and scalars.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            foreach (var tensor in _owned)
            {
                tensor.Dispose();
            }

            _owned.Clear();
            _scalars.Dispose();
        }
    }
}
