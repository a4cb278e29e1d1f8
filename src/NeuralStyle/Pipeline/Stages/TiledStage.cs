using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Pipeline.Objective;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>
/// Optimises a stage tile by tile (<see cref="TiledOptimizer"/>): each tile's objective comes from the same factory as a
/// whole image's, with its slice of the content and of every mask, its share of the style, and an anchor to its part of the
/// previous stage's result.
/// </summary>
/// <param name="tileSize">The side of the tiles.</param>
/// <param name="overlap">The overlap of neighbouring tiles.</param>
/// <param name="anchorScale">This stage's size over the previous stage's (for the tiles' anchors).</param>
internal sealed class TiledStage(int tileSize, int overlap, double anchorScale) : IStageRunner
{
    /// <inheritdoc />
    public (Tensor Image, LossValues Losses) Run(StageRequest request)
    {
        var factory = request.Objectives;
        var masks = request.Masks;
        // Outside the stylised region the canvas holds the content, which the tiles keep.
        var initial = masks.Region is { } region ? MaskedCompositeExtractor.Composite(request.Initial, region, request.Content) : request.Initial;
        var tiled = new TiledOptimizer(factory.Extractor, request.Optimizer, request.Iterations, tileSize, overlap)
        {
            Region = masks.Region,
            CanvasPreview = request.Preview,
        };
        var (canvas, losses) = tiled.Optimize(
            initial,
            request.Content,
            (contentTile, tile, areaFactor) =>
            {
                var tileMasks = masks.Slice(tile.Top, tile.Left, tile.Height, tile.Width);
                var start = initial[TensorIndex.Ellipsis, TensorIndex.Slice(tile.Top, tile.Top + tile.Height), TensorIndex.Slice(tile.Left, tile.Left + tile.Width)];
                var anchor = factory.TileAnchor(start, anchorScale, request.Earlier, tile, request.Content.shape[2], areaFactor);
                return factory.Create(contentTile, request.Targets, tileMasks, request.Weights, new TilePart(areaFactor, masks), anchor);
            },
            request.Progress,
            request.CancellationToken);
        return (canvas, losses);
    }
}
