using System;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Imaging;
using NeuralStyle.Pipeline.Finishing;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Objective;
using NeuralStyle.Pipeline.Progress;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>
/// Runs a plan's stages in order. Each stage after the first starts from the previous result upsampled, with its content and
/// total-variation weights rescaled (<see cref="StageWeights"/>) and anchored to the earlier results; a stage is optimised
/// whole or in tiles by its <see cref="IStageRunner"/>. The last stage's result is finished by the run's <see cref="Finisher"/>.
/// </summary>
internal static class StagedRun
{
    /// <summary>Runs the stages.</summary>
    /// <returns>The finished, normalised image on the device (detached from every dispose scope) and the last stage's final losses.</returns>
    public static (Tensor Image, LossValues Losses) Run(
        StagePlan plan,
        RunInputs inputs,
        ObjectiveFactory objectives,
        StyleTransferOptions options,
        RunProgress progress,
        CancellationToken cancellationToken)
    {
        var device = objectives.Extractor.Device;
        var minimum = plan.Network.MinimumInputSizeUpTo(plan.DeepestLayer);
        var stages = plan.Stages;
        var earlier = new List<(Tensor Image, double Weight)>(); // the earlier stages' results, with their anchor weights
        try
        {
            using var runScope = NewDisposeScope();
            var finalContent = inputs.Content.to(device);
            var finalMasks = RegionMasks.Create(options, finalContent, inputs.StyleLoaders.Count);
            var finisher = new Finisher(finalContent, finalMasks.Region, options.PreserveColors);
            var preview = options.Optimizer.PreviewInterval > 0 ? finisher.Preview : null;
            for (var k = 0; k < stages.Count; k++)
            {
                var (stage, tileSize, styleSide, _) = stages[k];
                var final = k == stages.Count - 1;
                using var scope = NewDisposeScope();
                var stageContent = stage.Height == inputs.Content.shape[2] && stage.Width == inputs.Content.shape[3]
                    ? inputs.Content
                    : ImageTensor.Resize(inputs.Content, stage.Height, stage.Width);
                var (content, styles) = inputs.Prepare(stageContent, options, styleSide, minimum, device);
                var masks = final ? finalMasks : RegionMasks.Create(options, content, styles.Length);
                progress.Phase(StyleTransferPhase.ComputingTargets, k);
                using var targets = objectives.Targets(styles, masks);
                var previous = earlier.Count > 0 ? earlier[^1].Image : null;
                var initial = previous is null ? RunInputs.Initial(content, styles[0], options) : ImageTensor.Resize(previous, stage.Height, stage.Width);
                var stageOptions = k == 0 ? options.Optimizer : options.Optimizer with { LearningRate = options.HighResolution.FineLearningRate };
                IStageRunner runner = tileSize is { } size
                    ? new TiledStage(size, options.HighResolution.TileOverlap, previous is null ? 1 : stage.Height / (double)previous.shape[2])
                    : WholeImageStage.Instance;
                var request = new StageRequest(
                    objectives, options, stageOptions, stage.Iterations, content, targets, masks, StageWeights.ForScale(stage.Scale), initial, earlier, preview, progress.ForStage(k), cancellationToken);
                var (raw, losses) = runner.Run(request);
                Tensor image;
                using (no_grad())
                {
                    if (final)
                    {
                        progress.Phase(StyleTransferPhase.Finishing, k);
                        image = finisher.Apply(raw);
                    }
                    else
                    {
                        // An earlier stage keeps the content outside the region; colours are preserved once, at the end.
                        image = masks.Region is null ? raw : Finisher.Finish(raw, content, masks.Region, ColorPreservation.None);
                    }
                }

                image.DetachFromDisposeScope();
                if (!ReferenceEquals(image, raw))
                {
                    raw.Dispose();
                }

                if (final)
                {
                    return (image, losses);
                }

                earlier.Add((image, objectives.AnchorWeight(stage.Scale)));
            }

            throw new InvalidOperationException("A plan has at least one stage.");
        }
        finally
        {
            foreach (var (image, _) in earlier)
            {
                image.Dispose();
            }
        }
    }
}
