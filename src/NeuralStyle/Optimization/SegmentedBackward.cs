using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// A step's backward pass one stretch of the network at a time, from the top down, for objectives whose every term hands
/// its gradient over (<see cref="LossBase.HandsOffEveryGradient"/>). The forward pass cuts the graph after each layer a
/// term reads; the pass through the layers above a cut ends at the cut, and only then is the gradient of the terms at
/// that layer formed (<see cref="LayerGradients.Defer"/>) and added to what came down. So the style gradients of the
/// lower layers, the largest, are not alive while the upper layers are worked through, and each stretch's saved tensors
/// are freed as soon as it is done. Same gradient as one pass from all the layers at once, up to rounding
/// (<c>SegmentedBackwardTests</c>).
/// </summary>
/// <param name="extractor">The network.</param>
/// <param name="cuts">The layers to cut after, from the top down.</param>
/// <param name="lastLayer">The last layer the terms read.</param>
/// <param name="stemByHand">Whether the last stretch, the stem (layers 0 and 1), is taken by hand (<see cref="StemGradient"/>).</param>
/// <param name="poolByHand">Whether the stretch above it, the first max-pool (layer 2), is taken by hand too (<see cref="PoolGradient"/>).</param>
/// <param name="fires">The Fire modules whose stretches (each one layer) are taken by hand (<see cref="FireGradient"/>).</param>
/// <param name="pools">The later max-pools (pool3, pool5) whose stretches (each one layer) are taken by hand (<see cref="PoolGradient"/>).</param>
internal sealed class SegmentedBackward(SqueezeNetFeatureExtractor extractor, int[] cuts, int lastLayer, bool stemByHand, bool poolByHand, int[] fires, int[] pools)
{
    /// <summary>Gets the layers the graph is cut after, from the top down.</summary>
    public IReadOnlyList<int> Cuts => cuts;

    /// <summary>Gets a value indicating whether the stem's gradient is taken by hand (<see cref="StemGradient"/>).</summary>
    public bool StemByHand => stemByHand;

    /// <summary>Gets a value indicating whether the first max-pool's gradient is taken by hand (<see cref="PoolGradient"/>).</summary>
    public bool PoolByHand => poolByHand;

    /// <summary>Gets the Fire modules whose gradient is taken by hand (<see cref="FireGradient"/>), each a stretch of its own.</summary>
    public IReadOnlyList<int> Fires => fires;

    /// <summary>Gets the later max-pools whose gradient is taken by hand (<see cref="PoolGradient"/>), each a stretch of its own.</summary>
    public IReadOnlyList<int> Pools => pools;

    /// <summary>
    /// The backward pass by stretches for these terms on this extractor, cut after every layer a term reads but the last
    /// (<paramref name="lastLayer"/>, nothing above it) and layer 0 (the ReLU after it works in place), after layer 1 where
    /// the stem's gradient is taken by hand (<see cref="SqueezeNetFeatureExtractor.TakesStemGradientByHand"/>) and after
    /// layer 2 too where the first pool's is as well (<see cref="PoolGradient"/>, where a layer above the pool is read), and
    /// around every Fire module up to the last layer where the pool's is taken by hand and the Fire kernel applies
    /// (<see cref="FireGradient"/>: after the module and the layer below it) and around the max-pool over each such module
    /// (<see cref="PoolGradient"/>); null
    /// where the backward pass runs at once: another extractor, a term that builds a graph, or nothing to cut.
    /// </summary>
    /// <param name="extractor">The network.</param>
    /// <param name="losses">The terms.</param>
    /// <param name="lastLayer">The last layer the terms read.</param>
    public static SegmentedBackward? For(IFeatureExtractor extractor, IReadOnlyList<ILoss> losses, int lastLayer) =>
        losses.Count > 0 && losses.All(l => l is LossBase { HandsOffEveryGradient: true })
            ? For(extractor, [.. losses.SelectMany(l => l.Layers)], lastLayer)
            : null;

    /// <summary>The same for terms, every one of which hands its gradients over, that read <paramref name="layers"/>.</summary>
    /// <param name="extractor">The network.</param>
    /// <param name="layers">The layers the terms read.</param>
    /// <param name="lastLayer">The last layer the terms read.</param>
    public static SegmentedBackward? For(IFeatureExtractor extractor, IReadOnlyCollection<int> layers, int lastLayer)
    {
        if (extractor is not SqueezeNetFeatureExtractor squeeze)
        {
            return null;
        }

        var stemByHand = lastLayer > 1 && squeeze.TakesStemGradientByHand;
        var poolByHand = stemByHand && lastLayer > 2;
        int[] byHand = poolByHand ? [1, 2] : stemByHand ? [1] : [];
        var fires = poolByHand ? Enumerable.Range(3, lastLayer - 2).Where(squeeze.TakesFireModuleByHand).ToArray() : [];
        // A Fire module's output is channels-last, as the pool's kernel takes it.
        var pools = fires.Select(f => f + 1).Where(p => p <= lastLayer && SqueezeNetFeatureExtractor.IsMaxPool(p)).ToArray();
        var cuts = layers.Concat(byHand).Concat(fires).Concat(fires.Select(f => f - 1)).Concat(pools)
            .Where(l => l > 0 && l < lastLayer).Distinct().OrderDescending().ToArray();
        return cuts.Length == 0 ? null : new SegmentedBackward(squeeze, cuts, lastLayer, stemByHand, poolByHand, fires, pools);
    }

    /// <summary>
    /// Runs the forward pass with the graph cut after <see cref="Cuts"/>, the terms, and the backward pass from the top
    /// down; the last stretch, down to the image, goes through <paramref name="backward"/> (which puts the gradient where
    /// the optimiser reads it).
    /// </summary>
    /// <param name="image">The image the step differentiates at.</param>
    /// <param name="terms">Computes the terms, handing their gradients over.</param>
    /// <param name="backward">Runs the last stretch from its roots with their gradients.</param>
    /// <returns>The terms.</returns>
    public Tensor[] Run(Tensor image, Func<FeatureMaps, LayerGradients, Tensor[]> terms, Action<Tensor[], Tensor[]> backward)
    {
        using var handOff = new LayerGradients(defers: true);
        var leaves = cuts.ToDictionary(c => c, _ => (Tensor?)null);
        var squeezed = fires.ToDictionary(f => f, _ => (Tensor?)null);
        Tensor? carried = null;
        // Whether what came down is masked already by the ReLU whose output it is the gradient at (the pool's kernel did it).
        var masked = false;
        try
        {
            using var features = extractor.Extract(image, lastLayer, leaves, stemByHand, poolByHand, squeezed, pools);
            var values = terms(features, handOff);
            if (values.Any(t => t.requires_grad))
            {
                throw new InvalidOperationException("A term built a graph across the network's cut layers.");
            }

            var top = lastLayer;
            foreach (var lower in cuts.Append(-1))
            {
                var roots = new List<Tensor>(4);
                var gradients = new List<Tensor>(4);
                try
                {
                    // The top layer's place among the roots, by index: a tensor's Equals compares values.
                    var at = -1;
                    foreach (var layer in handOff.Layers.Where(l => l > lower && l <= top).ToArray())
                    {
                        at = layer == top ? roots.Count : at;
                        roots.Add(features[layer]);
                        gradients.Add(handOff.Take(layer)!);
                    }

                    if (carried is not null)
                    {
                        // What came down from the stretch above, at the output of this stretch's top layer.
                        if (at >= 0)
                        {
                            gradients[at].add_(carried, OwnedScalars.One);
                            carried.Dispose();
                        }
                        else
                        {
                            roots.Add(features[top]);
                            gradients.Add(carried);
                        }

                        carried = null;
                    }

                    // What a pool's kernel sent down is masked already; where it is all this stretch's top has, the kernel
                    // below need not read the rectified output to mask it.
                    var maskedAlready = masked && gradients.Count == 1;
                    masked = false;
                    if (lower == top - 1 && ((poolByHand && top == 2) || pools.Contains(top)))
                    {
                        var pool = top;
                        // A pool's input is a ReLU's output (the stem's, a Fire module's): the pool's kernel masks the sum by
                        // that ReLU as it writes it, so that the kernel of the layer below, taken by hand next, need not read
                        // the rectified output again.
                        carried = OneLayerByHand(
                            pool, features, gradients, handOff, (gradient, addTo) => SqueezeNetFeatureExtractor.PoolInputGradient(pool, gradient, features, addTo), out var whole);
                        masked = whole;
                    }
                    else if (lower == top - 1 && squeezed.TryGetValue(top, out var squeezedOutput))
                    {
                        var fire = top;
                        var output = maskedAlready ? null : features[fire];
                        carried = OneLayerByHand(fire, features, gradients, handOff, (gradient, addTo) => extractor.FireInputGradient(fire, gradient, output, squeezedOutput!, addTo), out _);
                    }
                    else if (lower >= 0)
                    {
                        carried = torch.autograd.grad(roots, [leaves[lower]!], gradients)[0];
                    }
                    else if (stemByHand && gradients.Count > 0)
                    {
                        // Every root is at the stem's rectified output (layer 0's too: its ReLU works in place).
                        var rectified = maskedAlready ? null : features[1];
                        var imageGradient = extractor.StemImageGradient(SumInFirst(gradients), rectified, features.Image);
                        gradients.Add(imageGradient);
                        // The sum is formed in the image's own layout where the pixel terms' gradient has it: the image's
                        // gradient then takes it without a pass that strides across the kernel's channels-last one.
                        var pixelGradient = handOff.Image;
                        var (sum, addend) = pixelGradient is not null && Dimensions.SameStrides(pixelGradient, features.Image)
                            ? (pixelGradient, imageGradient)
                            : (imageGradient, pixelGradient);
                        if (addend is not null)
                        {
                            sum.add_(addend, OwnedScalars.One);
                        }

                        backward([features.Image], [sum]);
                    }
                    else
                    {
                        if (handOff.Image is { } imageGradient)
                        {
                            roots.Add(features.Image);
                            gradients.Add(imageGradient);
                        }

                        backward([.. roots], [.. gradients]);
                    }
                }
                finally
                {
                    foreach (var gradient in gradients.Where(g => !ReferenceEquals(g, handOff.Image)))
                    {
                        gradient.Dispose();
                    }
                }

                top = lower;
            }

            return values;
        }
        finally
        {
            carried?.Dispose();
            foreach (var leaf in leaves.Values.Concat(squeezed.Values))
            {
                leaf?.Dispose();
            }
        }
    }

    // A stretch of one layer taken by hand (a max-pool, a Fire module): the gradients at its output summed, and its
    // backward pass added to the terms' gradient at the layer below (formed now) where that has the layer's own layout,
    // else formed apart and that gradient added to it; the sum then goes down as what came from above. Whole: whether the
    // sum is all the backward pass's writing (the terms' gradient, if any, added within it).
    private static Tensor? OneLayerByHand(int layer, FeatureMaps features, List<Tensor> gradients, LayerGradients handOff, Func<Tensor, Tensor?, Tensor> backward, out bool whole)
    {
        var below = handOff.Take(layer - 1);
        whole = false;
        if (gradients.Count == 0)
        {
            return below;
        }

        var addTo = below is not null && Dimensions.SameStrides(below, features[layer - 1]) ? below : null;
        whole = below is null || addTo is not null;
        Tensor? sum = null;
        try
        {
            sum = backward(SumInFirst(gradients), addTo);
            if (addTo is null && below is not null)
            {
                sum.add_(below, OwnedScalars.One);
                below.Dispose();
            }

            return sum;
        }
        catch
        {
            if (!ReferenceEquals(sum, below))
            {
                sum?.Dispose();
            }

            below?.Dispose();
            throw;
        }
    }

    // The sum of gradients at one layer's output, added in place to the first (the list keeps owning them all).
    private static Tensor SumInFirst(List<Tensor> gradients)
    {
        for (var i = 1; i < gradients.Count; i++)
        {
            gradients[0].add_(gradients[i], OwnedScalars.One);
        }

        return gradients[0];
    }
}
