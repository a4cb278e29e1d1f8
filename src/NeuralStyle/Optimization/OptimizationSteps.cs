using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// The steps of one optimisation: the forward pass through the extractor and the terms, Adam's and L-BFGS's steps, and the
/// reading of the terms' values; with the pixels and the gradient method they step. Owns the displayable range's bounds,
/// made at the first use: dispose it.
/// </summary>
/// <param name="extractor">The frozen feature extractor.</param>
/// <param name="losses">The terms; not disposed.</param>
/// <param name="checkInterval">How often the loss is read for a finiteness check.</param>
internal sealed class OptimizationSteps(IFeatureExtractor extractor, IReadOnlyList<ILoss> losses, int checkInterval) : IDisposable
{
    private readonly int _lastLayer = DeepestLayer(losses);
    private readonly SegmentedBackward? _bySegments = SegmentedBackward.For(extractor, losses, DeepestLayer(losses));
    private readonly string[] _names = losses.Select(l => l.Name).ToArray();
    private (Tensor Lower, Tensor Upper)? _displayable;

    /// <summary>Gets how often the loss is read for a finiteness check.</summary>
    public int CheckInterval => checkInterval;

    /// <summary>The optimised pixels: a float32 copy of <paramref name="initialImage"/> that requires a gradient, in no dispose scope.</summary>
    public static Parameter CreatePixels(Tensor initialImage)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // The parameter takes over the copy's native handle.
        var pixels = new Parameter(initialImage.detach().to(float32).clone(), requires_grad: true);
        pixels.DetachFromDisposeScope();
        return pixels;
    }

    /// <summary>A fresh Adam optimiser of <paramref name="pixels"/> at <paramref name="rate"/> (the seed starts a new one when the rate changes).</summary>
    public static PixelAdam CreateAdam(Parameter pixels, double rate) => new(pixels, rate);

    /// <summary>
    /// A fresh L-BFGS search with the settings' step, history and tolerance; its history no longer than the run's
    /// <paramref name="evaluations"/> (it keeps at most one pair per accepted step, and allocates the whole history at once).
    /// </summary>
    public static LineSearchLbfgs CreateLbfgs(OptimizerOptions settings, int evaluations) =>
        new(settings.LbfgsLearningRate, Math.Clamp(evaluations, 1, settings.LbfgsHistorySize), settings.LbfgsTolerance);

    /// <summary>
    /// The pixels as the picture shows them: each value clamped to the range that displays as RGB in [0, 1]. L-BFGS minimises
    /// the loss of this, so the loss it lowers is the saved picture's, and values beyond the range, which the picture cannot
    /// show, get no gradient. The range's bounds are made once, at the first call, on the pixels' device and dtype.
    /// </summary>
    public Tensor Displayable(Tensor pixels)
    {
        if (_displayable is null)
        {
            using var scope = NewDisposeScope();
            var (lower, upper) = Imaging.ImageTensor.DisplayableRange(pixels);
            _displayable = (lower.DetachFromDisposeScope(), upper.DetachFromDisposeScope());
        }

        var (low, high) = _displayable.Value;
        return pixels.maximum(low).minimum(high);
    }

    public Tensor[] AdamStep(PixelAdam optimizer, Parameter pixels)
    {
        optimizer.ZeroGradient();
        Tensor? taken = null;
        try
        {
            var terms = Backward(pixels, (roots, gradients) => taken = TakeOrBackward(pixels, roots, gradients));
            optimizer.Step(taken);
            return terms;
        }
        finally
        {
            taken?.Dispose();
        }
    }

    /// <summary>
    /// The pixels' whole gradient where the backward pass has formed it already (the pixels its one root, as where the stem's
    /// gradient is taken by hand): a view that outlives the pass's own handle, so that Adam steps with it at once, without
    /// libtorch's autograd engine adding it to a zeroed <c>grad</c>. Otherwise null, after autograd's backward pass, which
    /// leaves the gradient in the pixels' <c>grad</c>.
    /// </summary>
    internal static Tensor? TakeOrBackward(Tensor pixels, Tensor[] roots, Tensor[] gradients)
    {
        if (roots is [var root] && ReferenceEquals(root, pixels) && gradients is [var gradient])
        {
            return gradient.alias();
        }

        torch.autograd.backward(roots, gradients);
        return null;
    }

    /// <summary>
    /// Evaluates the terms and their gradient at the pixels and lets <paramref name="search"/> move the pixels to its next
    /// trial point; returns the terms at the evaluated point, their values, and whether the search accepted that point.
    /// </summary>
    public (Tensor[] Terms, LossValues Values, bool Accepted) LbfgsStep(LineSearchLbfgs search, Parameter pixels)
    {
        Tensor? pixelGradient = null;
        var terms = Backward(Displayable(pixels), (roots, gradients) => pixelGradient = torch.autograd.grad(roots, [pixels], gradients)[0]);
        using var gradient = pixelGradient!;
        var values = Read(terms);
        var accepted = search.Advance(pixels, values.Total, gradient);
        return (terms, values, accepted);
    }

    public LossValues Read(Tensor[] terms)
    {
        // One transfer for all terms.
        using var stacked = stack(terms.Select(t => t.detach().to(float64)).ToArray()).cpu();
        var values = stacked.data<double>().ToArray();
        var dict = new Dictionary<string, double>(_names.Length, StringComparer.Ordinal);
        for (var i = 0; i < _names.Length; i++)
        {
            dict[_names[i]] = dict.TryGetValue(_names[i], out var existing) ? existing + values[i] : values[i];
        }

        return new LossValues(dict);
    }

    public LossValues Evaluate(Parameter pixels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Read(Forward(pixels));
    }

    /// <summary>
    /// The forward and backward pass of a step: computes the terms (handed-off ones without a graph), then runs
    /// <paramref name="backward"/> from the sum of the terms that have a graph, with gradient 1, and from each layer (and the
    /// image) that has handed-off gradients, with their sum. The roots and the handed-off gradients are freed as soon as it returns.
    /// </summary>
    /// <returns>The terms.</returns>
    private Tensor[] Backward(Tensor pixels, Action<Tensor[], Tensor[]> backward)
    {
        if (_bySegments is { } bySegments)
        {
            return bySegments.Run(pixels, Terms, backward);
        }

        using var handOff = new LayerGradients();
        var roots = new List<Tensor>(4);
        var gradients = new List<Tensor>(4);
        var temporaries = new List<Tensor>(4);
        try
        {
            Tensor[] terms;
            using (var features = extractor.Extract(pixels, _lastLayer))
            {
                terms = Terms(features, handOff);
                var total = Sum(terms);
                if (total.requires_grad)
                {
                    roots.Add(total);
                    gradients.Add(ones_like(total));
                    temporaries.Add(gradients[0]);
                }

                // Views of the layers' outputs, which stay valid after the features (and their handles) are disposed.
                var layers = handOff.Layers.Select(layer => features[layer].alias()).ToArray();
                temporaries.AddRange(layers);
                roots.AddRange(layers);
                gradients.AddRange(handOff.Gradients);
                if (handOff.Image is { } imageGradient)
                {
                    roots.Add(features.Image);
                    gradients.Add(imageGradient);
                }
            }

            backward([.. roots], [.. gradients]);
            return terms;
        }
        finally
        {
            // Early, not at the end of the iteration's scope: the views hold the layers' memory (the handed-off gradients
            // go with their owner). The sum of the terms may be a term itself, which the caller reads.
            foreach (var tensor in temporaries)
            {
                tensor.Dispose();
            }
        }
    }

    private Tensor[] Forward(Tensor pixels)
    {
        using var features = extractor.Extract(pixels, _lastLayer);
        return Terms(features, handOff: null);
    }

    // Each loss's term; with a hand-off, the library's terms that form their gradients explicitly hand them over.
    private Tensor[] Terms(FeatureMaps features, LayerGradients? handOff)
    {
        var terms = new Tensor[losses.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            terms[i] = losses[i] is LossBase loss ? loss.Compute(features, handOff) : losses[i].Compute(features);
        }

        return terms;
    }

    // The deepest layer any term reads (0 when none reads one).
    private static int DeepestLayer(IReadOnlyList<ILoss> losses) => losses.SelectMany(l => l.Layers).DefaultIfEmpty(0).Max();

    private static Tensor Sum(Tensor[] terms)
    {
        var total = terms[0];
        for (var i = 1; i < terms.Length; i++)
        {
            total = total.add(terms[i], Internal.OwnedScalars.One);
        }

        return total;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_displayable is { } bounds)
        {
            bounds.Lower.Dispose();
            bounds.Upper.Dispose();
            _displayable = null;
        }
    }
}
