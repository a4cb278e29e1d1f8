using System;
using System.Collections.Generic;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.HighResolution;

/// <summary>A rectangle of the image optimised on its own.</summary>
/// <param name="Top">The first row.</param>
/// <param name="Left">The first column.</param>
/// <param name="Height">The number of rows.</param>
/// <param name="Width">The number of columns.</param>
internal readonly record struct TileRect(int Top, int Left, int Height, int Width);

/// <summary>Splits an image into overlapping tiles, their cores, and the feathered weights that join them.</summary>
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
    /// Each tile's core, in the order of <paramref name="tiles"/>: its rectangle cut at the middle of every overlap with a
    /// neighbour (sides on the image's edge stay). The cores cover the image without overlapping.
    /// </summary>
    public static IReadOnlyList<TileRect> Cores(IReadOnlyList<TileRect> tiles, int height, int width)
    {
        var rowCuts = Cuts(tiles, t => t.Top, t => t.Height, height);
        var columnCuts = Cuts(tiles, t => t.Left, t => t.Width, width);
        var cores = new List<TileRect>(tiles.Count);
        foreach (var tile in tiles)
        {
            var (top, bottom) = rowCuts[tile.Top];
            var (left, right) = columnCuts[tile.Left];
            cores.Add(new TileRect(top, left, bottom - top, right - left));
        }

        return cores;
    }

    /// <summary>
    /// How settled a finished tile's core is, <c>[1,1,h,w]</c>: 1 inside, falling linearly to near 0 over
    /// <paramref name="band"/> pixels towards each side that borders another core (sides on the image's edge stay 1).
    /// Later tiles keep settled pixels as they are and optimise the rest, so they continue their neighbours' strokes
    /// instead of blending two independent paintings; the ramp feathers the join.
    /// </summary>
    public static Tensor SettledWeights(TileRect core, int height, int width, int band, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = Ramp(core.Height, band, core.Top > 0, core.Top + core.Height < height, device);
        var columns = Ramp(core.Width, band, core.Left > 0, core.Left + core.Width < width, device);
        return rows.reshape(1, 1, core.Height, 1).mul(columns.reshape(1, 1, 1, core.Width)).MoveToOuterDisposeScope();
    }

    // For each distinct start along one axis, the span of its core: from the middle of the overlap with the previous
    // tile to the middle of the overlap with the next.
    private static Dictionary<int, (int Start, int End)> Cuts(IReadOnlyList<TileRect> tiles, Func<TileRect, int> start, Func<TileRect, int> size, int length)
    {
        var spans = new SortedDictionary<int, int>();
        foreach (var tile in tiles)
        {
            spans[start(tile)] = start(tile) + size(tile);
        }

        var ordered = new List<KeyValuePair<int, int>>(spans);
        var cuts = new Dictionary<int, (int, int)>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var from = i == 0 ? 0 : (ordered[i].Key + ordered[i - 1].Value) / 2;
            var to = i == ordered.Count - 1 ? length : (ordered[i + 1].Key + ordered[i].Value) / 2;
            cuts[ordered[i].Key] = (from, to);
        }

        return cuts;
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

    private static Tensor Ramp(int length, int band, bool rampStart, bool rampEnd, Device device)
    {
        var ramp = ones(length, device: device);
        var width = Math.Min(band, length / 2);
        if (width > 0)
        {
            // (i + 1) / (width + 1): never exactly 0, so every pixel keeps some weight.
            using var first = 1.ToScalar();
            using var end = (width + 1).ToScalar();
            var rising = arange(first, end, OwnedScalars.One, dtype: float32, device: device).div(end);
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
