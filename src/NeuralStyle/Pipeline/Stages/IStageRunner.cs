using System;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Optimization;
using NeuralStyle.Pipeline.Objective;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>Optimises one stage of a run; one implementation per kind of stage (whole image, tiled).</summary>
internal interface IStageRunner
{
    /// <summary>Optimises the stage.</summary>
    /// <returns>The optimised, normalised image on the device (in no dispose scope: the caller owns it) and the stage's final losses.</returns>
    (Tensor Image, LossValues Losses) Run(StageRequest request);
}

/// <summary>Everything a stage runner needs.</summary>
/// <param name="Objectives">The run's objective factory.</param>
/// <param name="Options">The run's options.</param>
/// <param name="Optimizer">The optimiser's options in this stage (the fine learning rate after the first).</param>
/// <param name="Iterations">The stage's iterations.</param>
/// <param name="Content">The stage's content, normalised, on the device.</param>
/// <param name="Targets">The stage's style targets.</param>
/// <param name="Masks">The masks at the stage's size.</param>
/// <param name="Weights">The stage's weight factors.</param>
/// <param name="Initial">The image the stage starts from, at its size.</param>
/// <param name="Earlier">The earlier stages' results with their anchor weights (empty for the first stage).</param>
/// <param name="Preview">What previews show (the run's finishing), or null.</param>
/// <param name="Progress">Receives the stage's iterations, or null.</param>
/// <param name="CancellationToken">Cancels the stage between iterations.</param>
internal sealed record StageRequest(
    ObjectiveFactory Objectives,
    StyleTransferOptions Options,
    OptimizerOptions Optimizer,
    int Iterations,
    Tensor Content,
    StyleTargets Targets,
    RegionMasks Masks,
    StageWeights Weights,
    Tensor Initial,
    IReadOnlyList<(Tensor Image, double Weight)> Earlier,
    Func<Tensor, Tensor>? Preview,
    IProgress<StyleTransferProgress>? Progress,
    CancellationToken CancellationToken);
