using System;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using NeuralStyle.Pipeline.Progress;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>
/// Optimises a large image tile by tile, in raster order. Each tile starts from the current canvas and is optimised
/// against its own content target and the global style targets, with the cores of the tiles already done held fixed
/// (<see cref="TilePlanner.Cores"/>, feathered by <see cref="TilePlanner.SettledWeights"/>): the tile sees its
/// neighbours' finished strokes across the overlap and continues them, and only its own pixels change. Blending two
/// independently optimised overlaps instead averages two unrelated textures into a soft, visible band. With a stylised
/// region, pixels outside it are held too (the canvas must hold the content there).
/// </summary>
internal sealed class TiledOptimizer(IFeatureExtractor extractor, OptimizerOptions settings, int iterations, int tileSize, int overlap)
{
    /// <summary>
    /// Makes the objective for one tile from its content crop; the caller keeps the style targets global and multiplies the
    /// style weights by <paramref name="styleWeightFactor"/> (the tile's area over the image's): Gram matrices are normalised
    /// by the area they cover, so without it the style would weigh more in a small tile than in the whole image.
    /// </summary>
    public delegate Objective.Objective TileObjective(Tensor contentTile, TileRect tile, double styleWeightFactor);

    /// <summary>Gets the stylised region at the canvas's size, <c>[1,1,H,W]</c>, or null for the whole image; not owned.</summary>
    public Tensor? Region { get; init; }

    /// <summary>Gets what previews show: a function of the whole canvas (normalised, detached) with the current tile's pixels in it.</summary>
    public Func<Tensor, Tensor>? CanvasPreview { get; init; }

    public int TileCount(int height, int width) => TilePlanner.Plan(height, width, tileSize, overlap).Count;

    /// <summary>
    /// Optimises <paramref name="initial"/> (normalised, <c>[N,3,H,W]</c>) tile by tile; <paramref name="progress"/> receives each
    /// tile's reports counted over the tiles (iteration <c>tile × iterations + i</c>).
    /// </summary>
    /// <returns>The new canvas (owned by the caller) and the tiles' final losses, summed.</returns>
    public (Tensor Canvas, LossValues Losses) Optimize(
        Tensor initial,
        Tensor content,
        TileObjective objectiveForTile,
        IProgress<StyleTransferProgress>? progress,
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

                // Tiles exist to bound memory: the previous tile's free heap goes back first, so the budget bounds what is live.
                NativeAllocator.ReleaseFreeMemory();
                var tile = tiles[i];
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var rows = TensorIndex.Slice(tile.Top, tile.Top + tile.Height);
                var columns = TensorIndex.Slice(tile.Left, tile.Left + tile.Width);
                var contentTile = content[TensorIndex.Ellipsis, rows, columns];
                var start = canvas[TensorIndex.Ellipsis, rows, columns].clone();
                var free = settled[TensorIndex.Ellipsis, rows, columns].neg().add_(OwnedScalars.One, OwnedScalars.One);
                if (Region is { } region)
                {
                    free = free.mul(region[TensorIndex.Ellipsis, rows, columns]);
                }

                using var objective = objectiveForTile(contentTile, tile, (double)tile.Height * tile.Width / ((double)height * width));
                var tileProgress = progress is null ? null : new TileProgress(progress, i, tiles.Count);
                using var enableGrad = enable_grad();
                using var held = i == 0 && Region is null ? null : new MaskedCompositeExtractor(extractor, free, start);
                var optimizer = new StyleTransferOptimizer(held ?? extractor, settings) { PreviewTransform = Preview(canvas, free, start, rows, columns) };
                using var result = optimizer.Optimize(start, objective.Terms, iterations, tileProgress, cancellationToken);
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

            return (canvas, new LossValues(sums));
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }

    private Func<Tensor, Tensor>? Preview(Tensor canvas, Tensor free, Tensor start, TensorIndex rows, TensorIndex columns)
        => CanvasPreview is not { } whole
            ? null
            : pixels =>
            {
                var copy = canvas.clone();
                copy[TensorIndex.Ellipsis, rows, columns] = MaskedCompositeExtractor.Composite(pixels, free, start);
                return whole(copy);
            };

    /// <summary>Reports a tile's iterations as part of the stage's.</summary>
    private sealed class TileProgress(IProgress<StyleTransferProgress> inner, int tile, int tiles) : IProgress<StyleTransferProgress>, IFirstIterationTiming
    {
        public void Report(StyleTransferProgress value)
            => inner.Report(value with { Iteration = (tile * value.TotalIterations) + value.Iteration, TotalIterations = tiles * value.TotalIterations, Tile = tile + 1, TileCount = tiles });

        // The run's first iteration is the first tile's.
        public void FirstIterationDone(TimeSpan elapsed) => (inner as IFirstIterationTiming)?.FirstIterationDone(elapsed);
    }
}
