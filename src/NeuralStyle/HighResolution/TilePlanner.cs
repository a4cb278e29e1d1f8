using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace NeuralStyle.HighResolution;

/// <summary>A rectangle of the image optimised on its own.</summary>
/// <param name="Top">The first row.</param>
/// <param name="Left">The first column.</param>
/// <param name="Height">The number of rows.</param>
/// <param name="Width">The number of columns.</param>
internal readonly record struct TileRect(int Top, int Left, int Height, int Width);

/// <summary>Splits an image into overlapping tiles and makes the feathered weights that blend them.</summary>
internal static class TilePlanner
{
    /// <summary>Tiles of at most <paramref name="tileSize"/> pixels a side, overlapping by at least <paramref name="overlap"/>, in raster order.</summary>
    public static IReadOnlyList<TileRect> Plan(int height, int width, int tileSize, int overlap)
    {
        if (tileSize <= overlap)
        {
            throw new ArgumentOutOfRangeException(nameof(tileSize), tileSize, $"Tiles must be larger than their overlap ({overlap}).");
        }

        var tops = Starts(height, tileSize, overlap);
        var lefts = Starts(width, tileSize, overlap);
        var tiles = new List<TileRect>(tops.Count * lefts.Count);
        foreach (var top in tops)
        {
            foreach (var left in lefts)
            {
                tiles.Add(new TileRect(top, left, Math.Min(tileSize, height), Math.Min(tileSize, width)));
            }
        }

        return tiles;
    }

    /// <summary>The number of tiles per axis that <see cref="Plan"/> makes.</summary>
    public static (int Rows, int Columns) Grid(int height, int width, int tileSize, int overlap)
        => (Starts(height, tileSize, overlap).Count, Starts(width, tileSize, overlap).Count);

    /// <summary>
    /// The blending weight of a tile's pixels, <c>[1,1,h,w]</c>: 1 inside, rising linearly from near 0 across the overlap
    /// on each side that borders another tile (sides on the image's edge keep weight 1).
    /// </summary>
    public static Tensor FeatherWeights(TileRect tile, int height, int width, int overlap, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = Ramp(tile.Height, overlap, tile.Top > 0, tile.Top + tile.Height < height, device);
        var columns = Ramp(tile.Width, overlap, tile.Left > 0, tile.Left + tile.Width < width, device);
        return rows.reshape(1, 1, tile.Height, 1).mul(columns.reshape(1, 1, 1, tile.Width)).MoveToOuterDisposeScope();
    }

    private static List<int> Starts(int length, int tileSize, int overlap)
    {
        if (length <= tileSize)
        {
            return [0];
        }

        var count = (int)Math.Ceiling((double)(length - overlap) / (tileSize - overlap));
        var starts = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            // Evenly spread so that neighbours overlap by at least `overlap`.
            starts.Add((int)Math.Round((double)i * (length - tileSize) / (count - 1)));
        }

        return starts;
    }

    private static Tensor Ramp(int length, int overlap, bool rampStart, bool rampEnd, Device device)
    {
        var ramp = ones(length, device: device);
        var width = Math.Min(overlap, length / 2);
        if (width > 0)
        {
            // (i + 1) / (width + 1): never exactly 0, so every pixel keeps some weight.
            var rising = arange(1, width + 1, dtype: float32, device: device).div(width + 1);
            if (rampStart)
            {
                ramp[TensorIndex.Slice(0, width)] = rising;
            }

            if (rampEnd)
            {
                ramp[TensorIndex.Slice(length - width, length)] = rising.flip(0);
            }
        }

        return ramp;
    }
}
