using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// A frozen convolutional network that turns a normalised image into the per-layer feature maps the losses compare.
/// </summary>
/// <remarks>
/// Implementations are not thread-safe for concurrent use of the same instance by optimisations that
/// dispose it; forward passes themselves only read the frozen weights.
/// </remarks>
public interface IFeatureExtractor : IDisposable
{
    /// <summary>Gets a short name of the network.</summary>
    /// <value>For example <c>squeezenet1_1</c>.</value>
    string Name { get; }

    /// <summary>Gets the names of the layers, indexed as <see cref="Extract(Tensor, int)"/> indexes them.</summary>
    /// <value>One name per layer, for example <c>conv1</c>, <c>relu1</c>, <c>pool1</c>, <c>fire2</c>.</value>
    IReadOnlyList<string> LayerNames { get; }

    /// <summary>Gets the smallest height and width of an input image that yields features at every layer.</summary>
    /// <value>The minimum side length in pixels.</value>
    int MinimumInputSize { get; }

    /// <summary>Gets the smallest height and width of an input image that yields features up to layer <paramref name="lastLayer"/>.</summary>
    /// <param name="lastLayer">The index of the deepest layer needed.</param>
    /// <returns>The minimum side length in pixels; by default <see cref="MinimumInputSize"/>.</returns>
    int MinimumInputSizeUpTo(int lastLayer) => MinimumInputSize;

    /// <summary>Gets the device the network's weights live on.</summary>
    /// <value>Inputs must be on this device.</value>
    Device Device { get; }

    /// <summary>Runs the network on <paramref name="image"/> up to and including layer <paramref name="lastLayer"/>.</summary>
    /// <param name="image">A normalised image tensor of shape <c>[N,3,H,W]</c> on <see cref="Device"/>. It is not disposed.</param>
    /// <param name="lastLayer">The index of the last layer to compute; later layers are skipped.</param>
    /// <returns>The feature maps of layers 0 to <paramref name="lastLayer"/>; the caller disposes them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lastLayer"/> is not a layer index.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> has the wrong shape or is too small.</exception>
    FeatureMaps Extract(Tensor image, int lastLayer);
}
