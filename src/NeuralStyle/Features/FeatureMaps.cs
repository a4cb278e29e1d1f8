using System;
using System.Collections.Generic;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// The outputs of a feature extractor's layers for one input image. Owns the layer tensors (disposes them);
/// the input image is only referenced.
/// </summary>
public sealed class FeatureMaps : IDisposable
{
    private readonly Tensor[] _layers;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="FeatureMaps"/> class.</summary>
    /// <param name="image">The input image the features were computed from; not owned.</param>
    /// <param name="layers">The outputs of layers 0, 1, … in order; ownership passes to the new instance.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public FeatureMaps(Tensor image, IReadOnlyList<Tensor> layers)
    {
        Image = Guard.NotNull(image);
        Guard.NotNull(layers);
        _layers = new Tensor[layers.Count];
        for (var i = 0; i < _layers.Length; i++)
        {
            _layers[i] = layers[i] ?? throw new ArgumentException($"Layer {i} is null.", nameof(layers));
        }
    }

    /// <summary>Gets the input image (normalised, <c>[N,3,H,W]</c>) that the features were computed from.</summary>
    /// <value>The tensor passed to the extractor; pixel losses such as total variation read it.</value>
    public Tensor Image { get; }

    /// <summary>Gets the number of layers held, i.e. the last computed layer index plus one.</summary>
    /// <value>The number of layer outputs.</value>
    public int Count => _layers.Length;

    /// <summary>Gets the output of a layer.</summary>
    /// <param name="layer">The layer index, from 0 to <see cref="Count"/> − 1.</param>
    /// <returns>The layer's output tensor, <c>[N,C,H,W]</c>; owned by this instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> was not computed.</exception>
    /// <exception cref="ObjectDisposedException">This instance has been disposed.</exception>
    public Tensor this[int layer]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if ((uint)layer >= (uint)_layers.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Layer {layer} was not computed; layers 0 to {_layers.Length - 1} are available.");
            }

            return _layers[layer];
        }
    }

    /// <summary>Disposes the layer outputs (not the input image).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }
    }
}
