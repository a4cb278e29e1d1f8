using System;
using System.Collections.Generic;
using NeuralStyle.Pipeline.Inputs;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Objective;

/// <summary>Each image's own loss terms on its final pixels, for a batch whose optimisation reported their sums.</summary>
internal static class PerImageLosses
{
    /// <summary>Evaluates every term of the run's objective for each image of <paramref name="results"/> against its own content.</summary>
    /// <param name="factory">The run's objective factory.</param>
    /// <param name="inputs">The batch's inputs (its content is <c>[N,3,H,W]</c>).</param>
    /// <param name="options">The run's options.</param>
    /// <param name="styleSide">The style side of the run's last stage.</param>
    /// <param name="minimum">The smallest side the network needs.</param>
    /// <param name="results">The finished images, normalised, <c>[N,3,H,W]</c>, on the device.</param>
    public static LossValues[] Evaluate(ObjectiveFactory factory, RunInputs inputs, StyleTransferOptions options, int? styleSide, int minimum, Tensor results)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (contents, styles) = inputs.Prepare(inputs.Content, options, styleSide, minimum, results.device);
        var masks = RegionMasks.Create(options, contents, styles.Length);
        using var targets = factory.Targets(styles, masks);
        var values = new LossValues[results.shape[0]];
        for (var i = 0; i < values.Length; i++)
        {
            using var objective = factory.Create(contents[i].unsqueeze(0), targets, masks, StageWeights.None);
            var lastLayer = 0;
            foreach (var term in objective.Terms)
            {
                foreach (var layer in term.Layers)
                {
                    lastLayer = Math.Max(lastLayer, layer);
                }
            }

            using var features = factory.Extractor.Extract(results[i].unsqueeze(0), lastLayer);
            var terms = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var term in objective.Terms)
            {
                using var value = term.Compute(features);
                terms[term.Name] = terms.GetValueOrDefault(term.Name) + value.item<float>();
            }

            values[i] = new LossValues(terms);
        }

        return values;
    }
}
