using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.HighResolution;
using NeuralStyle.Pipeline.Inputs;

namespace NeuralStyle.Pipeline.Stages;

/// <summary>A stage of a run with its tiling: <see cref="TileSize"/> is null when the stage is optimised whole.</summary>
/// <param name="Stage">The stage's size, iterations and scale.</param>
/// <param name="TileSize">The side of its tiles, or null.</param>
/// <param name="StyleSide">The shorter side its style images are brought to, or null for their own size.</param>
/// <param name="GraphAtOnce">
/// Whether its backward pass is expected to run through one graph of every layer (tiles, anchored stages, a caller's
/// network or terms) rather than by stretches (<see cref="Optimization.SegmentedBackward"/>), which keeps less.
/// </param>
internal sealed record PlannedStage(ScaleStage Stage, int? TileSize, int? StyleSide, bool GraphAtOnce = false)
{
    /// <summary>Gets the number of tiles (1 when whole).</summary>
    public int TileCount(int overlap) => TileSize is { } t ? TilePlanner.Plan(Stage.Height, Stage.Width, t, overlap).Count : 1;
}

/// <summary>
/// The stages of a run (coarse-to-fine) and their tiling (memory budget), decided before any work. A plain run is a
/// one-stage plan.
/// </summary>
internal sealed class StagePlan
{
    private StagePlan(IReadOnlyList<PlannedStage> stages, FeatureNetwork network, int deepestLayer)
    {
        Stages = stages;
        Network = network;
        DeepestLayer = deepestLayer;
    }

    /// <summary>Gets the stages, coarsest first.</summary>
    public IReadOnlyList<PlannedStage> Stages { get; }

    /// <summary>Gets the network the plan was made for.</summary>
    public FeatureNetwork Network { get; }

    /// <summary>Gets the deepest layer the run reads.</summary>
    public int DeepestLayer { get; }

    /// <summary>Plans a run whose result is <paramref name="width"/>×<paramref name="height"/>.</summary>
    /// <exception cref="InsufficientMemoryException"><see cref="HighResolution.HighResolutionOptions.MaxMemoryBytes"/> is too small for the smallest tile.</exception>
    public static StagePlan Create(int height, int width, StyleTransferOptions options, FeatureNetwork network, bool cuda)
    {
        var lastLayer = FeatureNetwork.DeepestLayer(options);
        var shorter = Math.Min(height, width);
        var enabled = options.HighResolution.CoarseToFine == CoarseToFineMode.On
            || (options.HighResolution.CoarseToFine == CoarseToFineMode.Auto && shorter > options.HighResolution.CoarseToFineThreshold);
        var stages = ScalePlanner.Plan(height, width, enabled, options.HighResolution.CoarseSize, options.HighResolution.ScaleFactor, options.Iterations, options.HighResolution.FineIterationsFraction);
        if (stages.Count == 1)
        {
            return new StagePlan([Tile(stages[0], options, network, lastLayer, cuda, options.ResolveStyleSize(shorter), anchored: false)], network, lastLayer);
        }

        var coarseShorter = Math.Min(stages[0].Height, stages[0].Width);
        var styleBase = options.ResolveStyleSize(coarseShorter) ?? coarseShorter;
        var anchors = options.HighResolution.StageAnchorWeight > 0;
        var planned = stages.Select((s, i) => Tile(s, options, network, lastLayer, cuda, Math.Min((int)Math.Round(styleBase * s.Scale), Math.Max(styleBase, options.HighResolution.MaxStyleSize)), anchored: anchors && i > 0)).ToArray();
        return new StagePlan(planned, network, lastLayer);
    }

    /// <summary>The peak memory of the plan.</summary>
    public MemoryEstimate Estimate()
    {
        long cpu = 0, gpu = 0;
        int workHeight = 0, workWidth = 0, tiles = 1;
        var staged = Stages.Count > 1 || Stages.Any(p => p.TileSize is not null);
        foreach (var p in Stages)
        {
            var (h, w) = p.TileSize is { } t ? (Math.Min(t, p.Stage.Height), Math.Min(t, p.Stage.Width)) : (p.Stage.Height, p.Stage.Width);
            var style = p.StyleSide ?? Math.Min(p.Stage.Height, p.Stage.Width);
            var whole = (staged ? WholeImageBytes(p.Stage) : 0) + (p.TileSize is null ? 0 : TilingBytes);
            cpu = Math.Max(cpu, MemoryModel.CpuBytes(Network, h, w, style, style, DeepestLayer, byStretches: !p.GraphAtOnce) + whole);
            gpu = Math.Max(gpu, MemoryModel.CudaBytes(Network, h, w, style, style, DeepestLayer) + whole);
            if ((long)h * w >= (long)workHeight * workWidth)
            {
                (workHeight, workWidth) = (h, w);
            }
        }

        var last = Stages[^1];
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

    // What tiling adds on top, measured (libtorch 2.10, Linux x64, 768×576 to 1365×1024 in 304 to 576 px tiles): the
    // held-pixel composite and its blend weights, per-tile targets and allocator slack across tiles.
    private const long TilingBytes = 8L << 20;

    private static PlannedStage Tile(ScaleStage stage, StyleTransferOptions options, FeatureNetwork network, int lastLayer, bool cuda, int? styleSide, bool anchored)
    {
        int? tile = null;
        var style = styleSide ?? Math.Min(stage.Height, stage.Width);
        // The terms SegmentedBackward.For takes by stretches: the default network's own, without an anchor. A tile after
        // the first holds pixels through a composite extractor, so tiles are planned as one graph.
        var wholeByStretches = !anchored && network.Custom is null && options.AdditionalLosses.Count == 0;
        if (options.HighResolution.TileSize is { } fixedSize && (stage.Height > fixedSize || stage.Width > fixedSize))
        {
            tile = fixedSize;
        }
        else if (options.HighResolution.MaxMemoryBytes is { } total && Bytes(stage.Height, stage.Width, wholeByStretches) + WholeImageBytes(stage) > total)
        {
            // Tiling keeps the whole image beside the tiles (see Estimate).
            var budget = total - WholeImageBytes(stage) - TilingBytes;
            // The largest tile (a multiple of 16) that fits the budget.
            var hi = Math.Max(stage.Height, stage.Width);
            var lo = Math.Max(HighResolutionOptions.MinimumTileSize(options.HighResolution.TileOverlap), network.MinimumInputSizeUpTo(lastLayer));
            if (Bytes(lo, lo) > budget)
            {
                var needed = Bytes(lo, lo) + (total - budget);
                throw new InsufficientMemoryException(
                    $"A memory budget (StyleTransferOptions.HighResolution.MaxMemoryBytes) of {total / (1 << 20)} MB is too small for a {stage.Width}×{stage.Height} image even in {lo}×{lo} tiles; allow at least {(needed + (1 << 20) - 1) / (1 << 20)} MB.")
                {
                    Data = { ["SuggestedBytes"] = needed },
                };
            }

            while (hi - lo > 16)
            {
                var mid = (lo + hi) / 2 / 16 * 16;
                if (mid <= lo)
                {
                    break;
                }

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

        return new PlannedStage(stage, tile, styleSide, GraphAtOnce: tile is not null || !wholeByStretches);

        long Bytes(int h, int w, bool byStretches = false) => cuda
            ? MemoryModel.CudaBytes(network, h, w, style, style, lastLayer)
            : MemoryModel.CpuBytes(network, h, w, style, style, lastLayer, byStretches);
    }
}
