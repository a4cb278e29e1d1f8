using System;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using static TorchSharp.torch;

namespace NeuralStyle.HighResolution;

/// <summary>
/// Optimises a large image tile by tile, in raster order. Each tile starts from the current canvas and is optimised
/// against its own content target and the global style targets, with the cores of the tiles already done held fixed
/// (<see cref="TilePlanner.Cores"/>, feathered by <see cref="TilePlanner.SettledWeights"/>): the tile sees its
/// neighbours' finished strokes across the overlap and continues them, and only its own pixels change. Blending two
/// independently optimised overlaps instead averages two unrelated textures into a soft, visible band.
/// </summary>
internal sealed class TiledOptimizer(IFeatureExtractor extractor, OptimizerSettings settings, int tileSize, int overlap)
{
    /// <summary>
    /// Makes the losses for one tile from its content crop; the caller keeps the style targets global and multiplies the
    /// style weights by <paramref name="styleWeightFactor"/> (the tile's area over the image's): Gram matrices are normalised
    /// by the area they cover, so without it the style would weigh more in a small tile than in the whole image.
    /// </summary>
    public delegate IReadOnlyList<LossBase> TileLosses(Tensor contentTile, TileRect tile, double styleWeightFactor);

    public int TileCount(int height, int width) => TilePlanner.Plan(height, width, tileSize, overlap).Count;

    /// <summary>Optimises <paramref name="initial"/> (normalised, <c>[1,3,H,W]</c>) tile by tile.</summary>
    /// <returns>The new canvas (owned by the caller) and the tiles' final losses, summed.</returns>
    public (Tensor Canvas, LossValues Losses) Optimize(
        Tensor initial,
        Tensor content,
        TileLosses lossesForTile,
        IProgress<StyleTransferProgress>? progress,
        int iterationOffset,
        int totalIterations,
        CancellationToken cancellationToken)
    {
        int height = (int)initial.shape[2], width = (int)initial.shape[3];
        var tiles = TilePlanner.Plan(height, width, tileSize, overlap);
        var cores = TilePlanner.Cores(tiles, height, width);
        var band = Math.Max(1, overlap / 8); // measured: 1/8 of the overlap joins best (docs/high-resolution.md)
        var canvas = initial.detach().clone().DetachFromDisposeScope();
        using var settled = zeros([1, 1, height, width], dtype: canvas.dtype, device: canvas.device).DetachFromDisposeScope();
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < tiles.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tile = tiles[i];
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var rows = TensorIndex.Slice(tile.Top, tile.Top + tile.Height);
                var columns = TensorIndex.Slice(tile.Left, tile.Left + tile.Width);
                var contentTile = content[TensorIndex.Ellipsis, rows, columns];
                var start = canvas[TensorIndex.Ellipsis, rows, columns].clone();
                var free = settled[TensorIndex.Ellipsis, rows, columns].neg().add(1);
                var losses = lossesForTile(contentTile, tile, (double)tile.Height * tile.Width / ((double)height * width));
                try
                {
                    var tileProgress = progress is null ? null : new TileProgress(progress, i, tiles.Count, iterationOffset, totalIterations);
                    using var enableGrad = enable_grad();
                    using var held = i == 0 ? null : new MaskedCompositeExtractor(extractor, free, start);
                    var optimizer = new StyleTransferOptimizer(held ?? extractor, settings);
                    using var result = optimizer.Optimize(start, [.. losses], tileProgress, cancellationToken);
                    foreach (var (name, value) in result.FinalLosses.Terms)
                    {
                        sums[name] = sums.GetValueOrDefault(name) + value;
                    }

                    canvas[TensorIndex.Ellipsis, rows, columns] = MaskedCompositeExtractor.Composite(result.Image, free, start);
                    var core = cores[i];
                    var coreRows = TensorIndex.Slice(core.Top, core.Top + core.Height);
                    var coreColumns = TensorIndex.Slice(core.Left, core.Left + core.Width);
                    settled[TensorIndex.Ellipsis, coreRows, coreColumns] = TilePlanner.SettledWeights(core, height, width, band, settled.device);
                }
                finally
                {
                    foreach (var loss in losses)
                    {
                        loss.Dispose();
                    }
                }
            }

            return (canvas, new LossValues(sums));
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }

    /// <summary>Reports a tile's iterations as part of the whole run.</summary>
    private sealed class TileProgress(IProgress<StyleTransferProgress> inner, int tile, int tiles, int offset, int total) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value)
        {
            var done = offset + (tile * value.TotalIterations) + value.Iteration;
            inner.Report(value with { Iteration = done, TotalIterations = total, Tile = tile + 1, TileCount = tiles });
        }
    }
}
