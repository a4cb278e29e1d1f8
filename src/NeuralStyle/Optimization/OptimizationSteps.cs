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
/// reading of the terms' values; with the pixels and the gradient method they step.
/// </summary>
/// <param name="extractor">The frozen feature extractor.</param>
/// <param name="losses">The terms; not disposed.</param>
/// <param name="checkInterval">How often the loss is read for a finiteness check.</param>
internal sealed class OptimizationSteps(IFeatureExtractor extractor, IReadOnlyList<ILoss> losses, int checkInterval)
{
    private readonly int _lastLayer = losses.SelectMany(l => l.Layers).DefaultIfEmpty(0).Max();
    private readonly string[] _names = losses.Select(l => l.Name).ToArray();
    private Exception? _closureError;

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

    /// <summary>A fresh optimiser of <paramref name="pixels"/> at <paramref name="rate"/> (the seed starts a new one when the rate changes).</summary>
    public static torch.optim.Optimizer CreateOptimizer(OptimizerOptions settings, Parameter pixels, double rate) => settings.Kind switch
    {
        OptimizerKind.Adam => torch.optim.Adam([pixels], lr: rate),
        OptimizerKind.Lbfgs => torch.optim.LBFGS(
            [pixels],
            lr: rate,
            max_iter: 1,
            max_eval: 2,
            tolerange_grad: 0,
            tolerance_change: settings.LbfgsTolerance,
            history_size: settings.LbfgsHistorySize),
        _ => throw new InvalidOperationException($"Unknown optimiser {settings.Kind}."),
    };

    public Tensor[] AdamStep(torch.optim.Optimizer optimizer, Parameter pixels)
    {
        optimizer.zero_grad();
        var terms = Forward(pixels);
        Sum(terms).backward();
        optimizer.step();
        return terms;
    }

    public Tensor[] LbfgsStep(LBFGS optimizer, Parameter pixels)
    {
        Tensor[]? first = null;
        _closureError = null;

        // Called from native code: must return a live tensor and must not throw.
        Tensor Closure()
        {
            try
            {
                optimizer.zero_grad();
                var terms = Forward(pixels);
                first ??= terms;
                var total = Sum(terms);
                total.backward();
                return HandOver(total.detach());
            }
            catch (Exception ex)
            {
                _closureError ??= ex;
                return HandOver(torch.tensor(float.NaN, device: pixels.device));
            }
        }

        optimizer.step(Closure);
        if (_closureError is not null)
        {
            throw new InvalidOperationException("A loss failed during the L-BFGS step.", _closureError);
        }

        return first ?? throw new InvalidOperationException("L-BFGS did not evaluate the loss.");
    }

    // TorchSharp's native step takes over the returned handle (the managed object is emptied) and never frees it:
    // hand it a fresh scalar without autograd graph, outside the dispose scope, so that neither a term nor the
    // graph is taken and only a scalar's handle stays behind per evaluation.
    private static Tensor HandOver(Tensor scalar) => scalar.DetachFromDisposeScope();

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

    private Tensor[] Forward(Tensor pixels)
    {
        using var features = extractor.Extract(pixels, _lastLayer);
        var terms = new Tensor[losses.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            terms[i] = losses[i].Compute(features);
        }

        return terms;
    }

    private static Tensor Sum(Tensor[] terms)
    {
        var total = terms[0];
        for (var i = 1; i < terms.Length; i++)
        {
            total = total.add(terms[i]);
        }

        return total;
    }
}
