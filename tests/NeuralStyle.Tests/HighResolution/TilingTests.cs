using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.HighResolution;

public sealed class TilingTests
{
    [Theory]
    [InlineData(256, 341, 96, 24, 4, 5)]
    [InlineData(96, 96, 96, 24, 1, 1)]
    [InlineData(100, 300, 128, 32, 1, 3)]
    public void Tiles_cover_the_image_with_at_least_the_overlap(int height, int width, int tile, int overlap, int rows, int columns)
    {
        var tiles = TilePlanner.Plan(height, width, tile, overlap);
        tiles.Should().HaveCount(rows * columns);
        TilePlanner.Grid(height, width, tile, overlap).Should().Be((rows, columns));
        var covered = new bool[height, width];
        foreach (var t in tiles)
        {
            (t.Top + t.Height).Should().BeLessThanOrEqualTo(height);
            (t.Left + t.Width).Should().BeLessThanOrEqualTo(width);
            for (var y = t.Top; y < t.Top + t.Height; y++)
            {
                for (var x = t.Left; x < t.Left + t.Width; x++)
                {
                    covered[y, x] = true;
                }
            }
        }

        covered.Cast<bool>().Should().OnlyContain(c => c);
        var lefts = tiles.Select(t => t.Left).Distinct().OrderBy(l => l).ToArray();
        for (var i = 1; i < lefts.Length; i++)
        {
            (lefts[i - 1] + Math.Min(tile, width) - lefts[i]).Should().BeGreaterThanOrEqualTo(overlap);
        }
    }

    [Theory]
    [InlineData(256, 341, 96, 24)]
    [InlineData(100, 100, 64, 16)]
    [InlineData(300, 97, 96, 24)]
    public void Cores_cover_the_image_once_and_cut_each_overlap_in_the_middle(int height, int width, int tile, int overlap)
    {
        var tiles = TilePlanner.Plan(height, width, tile, overlap);
        var cores = TilePlanner.Cores(tiles, height, width);

        cores.Should().HaveCount(tiles.Count);
        var count = new int[height, width];
        for (var i = 0; i < cores.Count; i++)
        {
            var (t, c) = (tiles[i], cores[i]);
            c.Top.Should().BeGreaterThanOrEqualTo(t.Top);
            c.Left.Should().BeGreaterThanOrEqualTo(t.Left);
            (c.Top + c.Height).Should().BeLessThanOrEqualTo(t.Top + t.Height);
            (c.Left + c.Width).Should().BeLessThanOrEqualTo(t.Left + t.Width);
            if (c.Left > 0)
            {
                // At least a quarter of the overlap lies on each side of the cut.
                (c.Left - t.Left).Should().BeGreaterThanOrEqualTo(overlap / 2 - 1);
            }

            for (var y = c.Top; y < c.Top + c.Height; y++)
            {
                for (var x = c.Left; x < c.Left + c.Width; x++)
                {
                    count[y, x]++;
                }
            }
        }

        count.Cast<int>().Should().OnlyContain(n => n == 1);
    }

    [Fact]
    public void Settled_weights_ramp_only_towards_neighbouring_cores()
    {
        using var scope = NewDisposeScope();
        var corner = TilePlanner.SettledWeights(new TileRect(0, 0, 64, 64), 128, 128, 16, CPU);
        corner[0, 0, 0, 0].item<float>().Should().Be(1f, "the image's own edge stays settled");
        corner[0, 0, 63, 63].item<float>().Should().BeApproximately(1f / 17 * (1f / 17), 1e-6f);
        corner[0, 0, 10, 63].item<float>().Should().BeApproximately(1f / 17, 1e-6f);
        corner[0, 0, 10, 47].item<float>().Should().Be(1f);
        corner.min().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Tiled_optimisation_leaves_no_visible_seams()
    {
        // 256×341 in 96-pixel tiles overlapping by 24: 4 × 5 = 20 tiles. The content is a texture whose structure is
        // spread evenly, so that any excess of gradient energy at the tile borders would come from the tiling itself.
        const int tileSize = 96, overlap = 24;
        using var scope = NewDisposeScope();
        using var contentBitmap = SampleImages.Style("style-waves.png");
        using var styleBitmap = SampleImages.Style();
        var content = ImageTensor.Resize(ImageTensor.FromBitmap(contentBitmap), 256, 341);
        var style = ImageTensor.FromBitmap(styleBitmap, 256);
        var preset = StyleTransferPresets.TheScream;
        Tensor[] grams;
        using (no_grad())
        using (var fs = Extractors.Cpu.Extract(style, 7))
        {
            grams = preset.StyleLayers.Select(l => GramMatrix.Compute(fs[l])).ToArray();
        }

        // Fine stages start from a stylised image and use a gentler rate than the seed's first 3.0.
        var settings = preset.Optimizer with { ProgressInterval = 30, LearningRate = 1.0 };
        var tiled = new NeuralStyle.Pipeline.Stages.TiledOptimizer(Extractors.Cpu, settings, 30, tileSize, overlap);
        tiled.TileCount(256, 341).Should().BeGreaterThanOrEqualTo(12);
        var log = new ProgressLog();
        var (result, tileLosses) = tiled.Optimize(content, content, (contentTile, _, styleFactor) =>
        {
            using var noGrad = no_grad();
            using var fc = Extractors.Cpu.Extract(contentTile, preset.ContentLayer);
            return new NeuralStyle.Pipeline.Objective.Objective(
            [
                new ContentLoss(preset.ContentLayer, fc[preset.ContentLayer], preset.ContentWeight),
                new StyleLoss(preset.StyleLayers, grams, preset.StyleWeights.Select(w => w * styleFactor).ToArray()),
                new TotalVariationLoss(preset.TotalVariationWeight),
            ], []);
        }, log, CancellationToken.None);
        using var _ = result;

        log.Reports.Select(r => r.Tile).Distinct().Should().HaveCount(20);
        tileLosses.Terms.Keys.Should().BeEquivalentTo("content", "style", "tv");
        log.Reports[^1].Iteration.Should().Be(600);
        var relative = StyleMeasure.RelativeStyleLoss(result, content, style, preset.StyleLayers, preset.StyleWeights);
        Console.WriteLine(FormattableString.Invariant($"style loss relative to the content: {relative:F3}"));
        relative.Should().BeLessThan(StyleMeasure.StylisedBelow, "the tiles were stylised");

        Save(result, "tiled-seams.png");
        // Joins can show where a tile ends (its edge) and where its core meets the next (the cut in the overlap).
        var tiles = TilePlanner.Plan(256, 341, tileSize, overlap);
        var cores = TilePlanner.Cores(tiles, 256, 341);
        int[] Lines(Func<TileRect, int> start, Func<TileRect, int> size, int length)
            => [.. tiles.Concat(cores).SelectMany(t => new[] { start(t), start(t) + size(t) }).Where(c => c > 0 && c < length).Distinct()];
        var (borderX, interiorX) = EdgeEnergy(result, Lines(t => t.Left, t => t.Width, 341), horizontal: true);
        var (borderY, interiorY) = EdgeEnergy(result, Lines(t => t.Top, t => t.Height, 256), horizontal: false);
        (borderX / interiorX).Should().BeInRange(0.9, 1.1, "gradient energy across vertical tile joins is like the interior's");
        (borderY / interiorY).Should().BeInRange(0.9, 1.1, "gradient energy across horizontal tile joins is like the interior's");

        // Nor is the overlap a softer band: averaging two independently painted overlaps halves the energy there (0.77 and
        // 0.84 of the rest's with feathered blending, measured); continuing the neighbours' strokes keeps it.
        int[] OverlapLines(IEnumerable<int> starts, int size) => [.. starts.Distinct().Order().Pairwise(size).SelectMany(o => Enumerable.Range(o.Start, o.End - o.Start))];
        var (overlapX, outsideX) = EdgeEnergy(result, OverlapLines(tiles.Select(t => t.Left), tileSize), horizontal: true, band: 0);
        var (overlapY, outsideY) = EdgeEnergy(result, OverlapLines(tiles.Select(t => t.Top), tileSize), horizontal: false, band: 0);
        (overlapX / outsideX).Should().BeInRange(0.9, 1.1, "the column overlaps are as detailed as the rest");
        (overlapY / outsideY).Should().BeInRange(0.9, 1.1, "the row overlaps are as detailed as the rest");
    }

    /// <summary>Mean squared difference between neighbouring pixels across the given lines, and across all other lines.</summary>
    /// <remarks>With <paramref name="band"/> 0 the differences ending on the given lines are compared with all others.</remarks>
    internal static (double Border, double Interior) EdgeEnergy(Tensor image, IReadOnlyCollection<int> lines, bool horizontal, int band = 2)
    {
        using var scope = NewDisposeScope();
        var rgb = ImageTensor.ToRgb01(image).clamp(0, 1);
        var dim = horizontal ? 3 : 2;
        var length = (int)rgb.shape[dim];
        var diff = rgb.narrow(dim, 1, length - 1).sub(rgb.narrow(dim, 0, length - 1)).square();
        var perLine = (horizontal ? diff.mean([0, 1, 2]) : diff.mean([0, 1, 3])).to(float64).data<double>().ToArray();
        // perLine[i] is the difference between line i and i + 1; a border at line c sits between c − 1 and c.
        // The band of differences within two lines of each border is "along the border"; everything else is interior.
        var near = lines.SelectMany(c => Enumerable.Range(c - 1 - band, (2 * band) + 1)).Where(i => i >= 0 && i < perLine.Length).ToHashSet();
        var border = near.Select(i => perLine[i]).Average();
        var interior = Enumerable.Range(0, perLine.Length).Where(i => !near.Contains(i)).Select(i => perLine[i]).Average();
        Console.WriteLine(FormattableString.Invariant($"edge energy ({(horizontal ? "columns" : "rows")}): border {border:G4}, interior {interior:G4}, ratio {border / interior:F3}"));
        return (border, interior);
    }

    internal static void Save(Tensor image, string name)
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralstyle-test-output");
        System.IO.Directory.CreateDirectory(folder);
        using var bitmap = ImageTensor.ToBitmap(image);
        ImageFile.Save(bitmap, System.IO.Path.Combine(folder, name));
    }
}

internal static class OverlapRanges
{
    /// <summary>The overlaps of consecutive tiles of one size starting at the given (sorted) positions.</summary>
    public static IEnumerable<(int Start, int End)> Pairwise(this IEnumerable<int> starts, int size)
    {
        int? previous = null;
        foreach (var start in starts)
        {
            if (previous is { } p && p + size > start)
            {
                yield return (start, p + size);
            }

            previous = start;
        }
    }
}
