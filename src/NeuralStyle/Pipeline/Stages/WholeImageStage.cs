using NeuralStyle.Features;
using NeuralStyle.Optimization;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>Optimises a stage as one image; with a stylised region the losses see the content outside it.</summary>
internal sealed class WholeImageStage : IStageRunner
{
    /// <summary>Gets the runner (it has no state).</summary>
    public static WholeImageStage Instance { get; } = new();

    /// <inheritdoc />
    public (Tensor Image, LossValues Losses) Run(StageRequest request)
    {
        var factory = request.Objectives;
        using var objective = factory.Create(request.Content, request.Targets, request.Masks, request.Weights, anchor: factory.Anchor(request.Earlier));
        using var composite = request.Masks.Region is { } region ? new MaskedCompositeExtractor(factory.Extractor, region, request.Content) : null;
        var optimizer = new StyleTransferOptimizer(composite ?? factory.Extractor, request.Optimizer, request.Options.Runtime.Logger)
        {
            PreviewTransform = request.Preview,
            ResumeFrom = request.Options.ResumeFrom,
            CheckpointInterval = request.Options.CheckpointInterval,
        };
        using var result = optimizer.Optimize(request.Initial, objective.Terms, request.Iterations, request.Progress, request.CancellationToken);
        return (result.TakeImage(), result.FinalLosses);
    }
}
