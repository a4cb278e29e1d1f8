using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using static TorchSharp.torch;

namespace NeuralStyle;

public static partial class StyleTransfer
{
    /// <summary>
    /// Coarse-to-fine and tiled runs: each stage starts from the previous stage's result upsampled, with the content and
    /// total-variation weights rescaled so the balance against the style stays that of the first stage (see
    /// <see cref="ScalePlanner"/>); stages that do not fit the memory budget are optimised in tiles.
    /// </summary>
    private static OptimizationResult ExecuteStaged(
        SqueezeNetFeatureExtractor extractor,
        Tensor contentImage,
        IReadOnlyList<Func<int?, Tensor>> styleLoaders,
        StyleTransferOptions options,
        IReadOnlyList<PlannedStage> plan,
        int lastLayer,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        if (plan.Any(p => p.TileSize is not null) && (options.Mask is not null || options.StyleMasks is not null))
        {
            throw new ArgumentException(
                "Masks cannot be combined with tiling: give a larger MaxMemoryBytes, no TileSize, or a smaller ImageSize.", nameof(options));
        }

        var tileCounts = plan.Select(p => p.TileSize is { } t ? TilePlanner.Plan(p.Stage.Height, p.Stage.Width, t, options.TileOverlap).Count : 1).ToArray();
        var total = plan.Select((p, k) => p.Stage.Iterations * tileCounts[k]).Sum();
        var stopwatch = Stopwatch.StartNew();
        var earlier = new List<(Tensor Image, double Weight)>(); // the earlier stages' results, with their anchor weights
        Tensor? result = null;
        LossValues? losses = null;
        var offset = 0;
        try
        {
            for (var k = 0; k < plan.Count; k++)
            {
                var (stage, tileSize, styleSide) = plan[k];
                var final = k == plan.Count - 1;
                using var scope = NewDisposeScope();
                var content = stage.Height == contentImage.shape[2] && stage.Width == contentImage.shape[3]
                    ? contentImage
                    : ImageTensor.Resize(contentImage, stage.Height, stage.Width);
                var previous = earlier.Count > 0 ? earlier[^1].Image : null;
                var anchored = previous is not null && options.StageAnchorWeight > 0;
                var initial = previous is null ? null : ImageTensor.Resize(previous, stage.Height, stage.Width);
                var stageOptions = options with
                {
                    Iterations = stage.Iterations,
                    LearningRate = k == 0 ? options.LearningRate : options.FineLearningRate,
                    PreserveColors = final || options.PreserveColors != ColorPreservation.Luminance ? options.PreserveColors : ColorPreservation.None,
                };
                var scaling = new StageScaling(ScalePlanner.ContentWeightFactor(stage.Scale), 1, ScalePlanner.TotalVariationWeightFactor(stage.Scale));
                var stageProgress = progress is null ? null : new StageProgress(progress, k + 1, plan.Count, offset, total);
                Tensor image;
                if (tileSize is { } size)
                {
                    TileAnchor? anchor = anchored ? new TileAnchor(stage.Height / (double)previous!.shape[2], earlier[^1].Weight) : null;
                    (image, losses) = ExecuteTiled(extractor, content, styleLoaders, stageOptions, size, styleSide, scaling, initial, anchor, lastLayer, stageProgress, cancellationToken);
                }
                else
                {
                    using var anchor = anchored ? new StageAnchorLoss(earlier, FirstStageStyleAnchor(extractor, options)) : null;
                    using var stageResult = ExecuteStage(extractor, content, styleLoaders, stageOptions, styleSide, scaling, initial, lastLayer, stageProgress, cancellationToken, anchor);
                    losses = stageResult.FinalLosses;
                    image = stageResult.TakeImage();
                }

                image = image.DetachFromDisposeScope();
                if (final)
                {
                    result = image;
                }
                else
                {
                    earlier.Add((image, AnchorWeight(options, plan[k])));
                }

                offset += stage.Iterations * tileCounts[k];
            }

            return new OptimizationResult(result!, losses!, total, stopwatch.Elapsed);
        }
        finally
        {
            foreach (var (image, _) in earlier)
            {
                image.Dispose();
            }
        }
    }

    private static (Tensor Image, LossValues Losses) ExecuteTiled(
        SqueezeNetFeatureExtractor extractor,
        Tensor contentImage,
        IReadOnlyList<Func<int?, Tensor>> styleLoaders,
        StyleTransferOptions options,
        int tileSize,
        int styleSide,
        StageScaling scaling,
        Tensor? initialImage,
        TileAnchor? anchor,
        int lastLayer,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var (content, styles) = PrepareInputs(contentImage, styleLoaders, options, styleSide, lastLayer, extractor.Device);
        var initial = initialImage?.to(extractor.Device) ?? InitialImage(content, styles[0], options);
        var contentLayers = Scale(options.ResolveContentLayers(), scaling.Content);
        var styleLayers = Scale(options.ResolveStyleLayers(), scaling.Style);
        var noMasks = new RegionMasks(null, null);
        var tiled = new TiledOptimizer(extractor, options.ToOptimizerSettings(), tileSize, options.TileOverlap);
        var tiles = tiled.TileCount((int)content.shape[2], (int)content.shape[3]);
        var (canvas, losses) = tiled.Optimize(
            initial,
            content,
            (contentTile, tile, styleFactor) =>
            {
                var set = BuildLosses(extractor, contentTile, styles, noMasks, options, contentLayers, Scale(styleLayers, styleFactor), scaling.TotalVariation);
                if (anchor is not { } tileAnchor)
                {
                    return [.. set.Owned];
                }

                // The tile's part of the previous stage's result, taken from the upsampled start brought back to that size.
                var start = initial[TensorIndex.Ellipsis, TensorIndex.Slice(tile.Top, tile.Top + tile.Height), TensorIndex.Slice(tile.Left, tile.Left + tile.Width)];
                var target = ImageTensor.Resize(start, Math.Max(1, (int)Math.Round(tile.Height / tileAnchor.Scale)), Math.Max(1, (int)Math.Round(tile.Width / tileAnchor.Scale)));
                return [.. set.Owned, new StageAnchorLoss([(target, tileAnchor.Weight)])];
            },
            progress,
            0,
            options.Iterations * tiles,
            cancellationToken);
        if (options.PreserveColors == ColorPreservation.Luminance)
        {
            using (canvas)
            using (no_grad())
            {
                return (Finish(canvas, content, null, options.PreserveColors).MoveToOuterDisposeScope(), losses);
            }
        }

        return (canvas.MoveToOuterDisposeScope(), losses);
    }

    /// <summary>The first stage's style statistics for the anchor of a whole-image stage, or null when <see cref="StyleTransferOptions.StageStyleAnchorWeight"/> is 0.</summary>
    private static FirstStageStyle? FirstStageStyleAnchor(IFeatureExtractor extractor, StyleTransferOptions options)
    {
        if (options.StageStyleAnchorWeight <= 0)
        {
            return null;
        }

        var layers = options.ResolveStyleLayers();
        return new FirstStageStyle(extractor, [.. layers.Select(l => l.Layer)], [.. layers.Select(l => l.Weight * options.StageStyleAnchorWeight)]);
    }

    /// <summary>
    /// The weight of the anchor to an earlier stage's result: <see cref="StyleTransferOptions.StageAnchorWeight"/> over that
    /// stage's area relative to the first, as the content weight, so that each anchor term (a sum over that stage's pixels)
    /// weighs the same against the style.
    /// </summary>
    private static double AnchorWeight(StyleTransferOptions options, PlannedStage earlier)
        => options.StageAnchorWeight * ScalePlanner.ContentWeightFactor(earlier.Stage.Scale);

    /// <summary>How a tiled stage anchors its tiles (null: not at all): the scale from the previous stage to this one and the anchor's weight.</summary>
    private readonly record struct TileAnchor(double Scale, double Weight);

    /// <summary>Factors applied to a stage's loss weights.</summary>
    private readonly record struct StageScaling(double Content, double Style, double TotalVariation)
    {
        public static StageScaling None => new(1, 1, 1);
    }

    /// <summary>Reports a stage's iterations as part of the whole run.</summary>
    private sealed class StageProgress(IProgress<StyleTransferProgress> inner, int stage, int stages, int offset, int total) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value)
            => inner.Report(value with { Iteration = offset + value.Iteration, TotalIterations = total, Stage = stage, StageCount = stages });
    }
}
