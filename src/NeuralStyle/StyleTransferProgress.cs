using System;
using SkiaSharp;

namespace NeuralStyle;

/// <summary>A progress report of a running style transfer.</summary>
/// <param name="Iteration">The number of iterations done so far (1 after the first).</param>
/// <param name="TotalIterations">The number of iterations the run will do.</param>
/// <param name="Losses">The loss terms evaluated at this iteration, before its update.</param>
/// <param name="LearningRate">The learning rate used for this iteration.</param>
/// <param name="Elapsed">The time since the optimisation loop started.</param>
public sealed record StyleTransferProgress(int Iteration, int TotalIterations, LossValues Losses, double LearningRate, TimeSpan Elapsed)
{
    /// <summary>Gets the total loss.</summary>
    /// <value>The sum of <see cref="Losses"/>' terms.</value>
    public double TotalLoss => Losses.Total;

    /// <summary>Gets the fraction of the run done.</summary>
    /// <value>From 0 to 1.</value>
    public double Fraction => TotalIterations == 0 ? 1 : (double)Iteration / TotalIterations;

    /// <summary>Gets the coarse-to-fine stage this report belongs to (1-based).</summary>
    /// <value>1 for a single-scale run.</value>
    public int Stage { get; init; } = 1;

    /// <summary>Gets the number of coarse-to-fine stages.</summary>
    /// <value>1 for a single-scale run.</value>
    public int StageCount { get; init; } = 1;

    /// <summary>Gets the tile this report belongs to (1-based) when the image is optimised in tiles.</summary>
    /// <value>1 when not tiled.</value>
    public int Tile { get; init; } = 1;

    /// <summary>Gets the number of tiles of the current stage.</summary>
    /// <value>1 when not tiled.</value>
    public int TileCount { get; init; } = 1;

    /// <summary>Gets a preview of the image at this iteration, when previews were asked for.</summary>
    /// <value>A bitmap that the receiver may keep (and should dispose), or <see langword="null"/>.</value>
    public SKBitmap? Preview { get; init; }
}
