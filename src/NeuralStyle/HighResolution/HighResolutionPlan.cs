using System;
using System.Collections.Generic;
using System.Linq;

namespace NeuralStyle.HighResolution;

/// <summary>A stage of a run with its tiling: <see cref="TileSize"/> is null when the stage is optimised whole.</summary>
internal sealed record PlannedStage(ScaleStage Stage, int? TileSize, int StyleSide);

/// <summary>Decides the stages (coarse-to-fine) and the tiling (memory budget) of a run.</summary>
internal static class HighResolutionPlan
{
    public static IReadOnlyList<PlannedStage> Create(int height, int width, StyleTransferOptions options, int lastLayer, bool cuda)
    {
        var shorter = Math.Min(height, width);
        var enabled = options.CoarseToFine == CoarseToFineMode.On
            || (options.CoarseToFine == CoarseToFineMode.Auto && shorter > options.CoarseToFineThreshold);
        var stages = ScalePlanner.Plan(height, width, enabled, options.CoarseSize, options.ScaleFactor, options.Iterations, options.FineIterationsFraction);
        var coarseShorter = Math.Min(stages[0].Height, stages[0].Width);
        var styleBase = options.ResolveStyleSize(coarseShorter) ?? coarseShorter;
        return stages.Select(s => Plan(s, options, lastLayer, cuda, stages.Count == 1 ? styleBase : Math.Min((int)Math.Round(styleBase * s.Scale), Math.Max(styleBase, options.MaxStyleSize)))).ToArray();
    }

    public static MemoryEstimate Estimate(IReadOnlyList<PlannedStage> plan, int lastLayer)
    {
        long cpu = 0, gpu = 0;
        int workHeight = 0, workWidth = 0, tiles = 1;
        var staged = plan.Count > 1 || plan.Any(p => p.TileSize is not null);
        foreach (var p in plan)
        {
            var (h, w) = p.TileSize is { } t ? (Math.Min(t, p.Stage.Height), Math.Min(t, p.Stage.Width)) : (p.Stage.Height, p.Stage.Width);
            var whole = (staged ? WholeImageBytes(p.Stage) : 0) + (p.TileSize is null ? 0 : TilingBytes(p.Stage));
            cpu = Math.Max(cpu, MemoryModel.CpuBytes(h, w, p.StyleSide, p.StyleSide, lastLayer) + whole);
            gpu = Math.Max(gpu, MemoryModel.CudaBytes(h, w, p.StyleSide, p.StyleSide, lastLayer) + whole);
            if ((long)h * w >= (long)workHeight * workWidth)
            {
                (workHeight, workWidth) = (h, w);
            }
        }

        var last = plan[^1];
        if (last.TileSize is { } size)
        {
            var (rows, columns) = TilePlanner.Grid(last.Stage.Height, last.Stage.Width, size, 0);
            tiles = rows * columns;
        }

        return new MemoryEstimate(cpu, gpu, workHeight, workWidth, tiles);
    }

    // Whole-image tensors a staged or tiled run keeps beside the optimisation: the canvas, the content, the upsampled
    // start and their temporaries, about six RGB float images of the stage's size.
    private static long WholeImageBytes(ScaleStage stage) => 6L * 3 * 4 * stage.Height * stage.Width;

    // What tiling adds on top, measured (libtorch 2.10, Linux x64, 1024×768 and 1365×1024 in 368 to 576 px tiles): the
    // held-pixel composite and its blend weights, per-tile targets and allocator slack across tiles.
    private static long TilingBytes(ScaleStage stage) => (64L << 20) + (2L * 3 * 4 * stage.Height * stage.Width);

    private static PlannedStage Plan(ScaleStage stage, StyleTransferOptions options, int lastLayer, bool cuda, int styleSide)
    {
        int? tile = null;
        var overlap = options.TileOverlap;
        if (options.TileSize is { } fixedSize && (stage.Height > fixedSize || stage.Width > fixedSize))
        {
            tile = fixedSize;
        }
        else if (options.MaxMemoryBytes is { } total && Bytes(stage.Height, stage.Width) + WholeImageBytes(stage) > total)
        {
            // Tiling keeps the whole image beside the tiles (see Estimate).
            var budget = total - WholeImageBytes(stage) - TilingBytes(stage);
            // The largest tile (a multiple of 16) that fits the budget.
            var hi = Math.Max(stage.Height, stage.Width);
            var lo = Math.Max(64, (2 * overlap) + 16);
            if (Bytes(lo, lo) > budget)
            {
                throw new InsufficientMemoryException(
                    $"A memory budget of {total / (1 << 20)} MB is too small for a {stage.Width}×{stage.Height} image even in {lo}×{lo} tiles; allow at least {(Bytes(lo, lo) + (total - budget)) / (1 << 20)} MB.");
            }

            while (hi - lo > 16)
            {
                var mid = (lo + hi) / 2 / 16 * 16;
                if (Bytes(mid, mid) <= budget)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            tile = lo;
        }

        return new PlannedStage(stage, tile, styleSide);

        long Bytes(int h, int w) => cuda
            ? MemoryModel.CudaBytes(h, w, styleSide, styleSide, lastLayer)
            : MemoryModel.CpuBytes(h, w, styleSide, styleSide, lastLayer);
    }
}
