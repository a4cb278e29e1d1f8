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

    [Fact]
    public void Feather_weights_ramp_only_towards_neighbours()
    {
        using var scope = NewDisposeScope();
        var corner = TilePlanner.FeatherWeights(new TileRect(0, 0, 64, 64), 128, 128, 16, CPU);
        corner[0, 0, 0, 0].item<float>().Should().Be(1f, "the image's own edge keeps full weight");
        corner[0, 0, 63, 63].item<float>().Should().BeApproximately(1f / 17 * (1f / 17), 1e-6f);
        corner[0, 0, 10, 63].item<float>().Should().BeApproximately(1f / 17, 1e-6f);
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
        var settings = (preset with { Iterations = 30, ProgressInterval = 30, LearningRate = 1.0 }).ToOptimizerSettings();
        var tiled = new TiledOptimizer(Extractors.Cpu, settings, tileSize, overlap);
        tiled.TileCount(256, 341).Should().BeGreaterThanOrEqualTo(12);
        var log = new ProgressLog();
        var (result, tileLosses) = tiled.Optimize(content, content, (contentTile, _, styleFactor) =>
        {
            using var noGrad = no_grad();
            using var fc = Extractors.Cpu.Extract(contentTile, preset.ContentLayer);
            return
            [
                new ContentLoss(preset.ContentLayer, fc[preset.ContentLayer], preset.ContentWeight),
                new StyleLoss(preset.StyleLayers, grams, preset.StyleWeights.Select(w => w * styleFactor).ToArray()),
                new TotalVariationLoss(preset.TotalVariationWeight),
            ];
        }, log, 0, 20 * 30, CancellationToken.None);
        using var _ = result;

        log.Reports.Select(r => r.Tile).Distinct().Should().HaveCount(20);
        tileLosses.Terms.Keys.Should().BeEquivalentTo("content", "style", "tv");
        log.Reports[^1].Iteration.Should().Be(600);
        result.sub(content).abs().mean().item<float>().Should().BeGreaterThan(0.2f, "the tiles were stylised");

        Save(result, "tiled-seams.png");
        var tiles = TilePlanner.Plan(256, 341, tileSize, overlap);
        var (borderX, interiorX) = EdgeEnergy(result, tiles.Select(t => t.Left).Concat(tiles.Select(t => t.Left + t.Width)).Where(c => c > 0 && c < 341).Distinct().ToArray(), horizontal: true);
        var (borderY, interiorY) = EdgeEnergy(result, tiles.Select(t => t.Top).Concat(tiles.Select(t => t.Top + t.Height)).Where(r => r > 0 && r < 256).Distinct().ToArray(), horizontal: false);
        (borderX / interiorX).Should().BeInRange(0.9, 1.1, "gradient energy across vertical tile borders is like the interior's");
        (borderY / interiorY).Should().BeInRange(0.9, 1.1, "gradient energy across horizontal tile borders is like the interior's");
    }

    /// <summary>Mean squared difference between neighbouring pixels across the given lines, and across all other lines.</summary>
    internal static (double Border, double Interior) EdgeEnergy(Tensor image, IReadOnlyCollection<int> lines, bool horizontal)
    {
        using var scope = NewDisposeScope();
        var rgb = ImageTensor.ToRgb01(image).clamp(0, 1);
        var dim = horizontal ? 3 : 2;
        var length = (int)rgb.shape[dim];
        var diff = rgb.narrow(dim, 1, length - 1).sub(rgb.narrow(dim, 0, length - 1)).square();
        var perLine = (horizontal ? diff.mean([0, 1, 2]) : diff.mean([0, 1, 3])).to(float64).data<double>().ToArray();
        // perLine[i] is the difference between line i and i + 1; a border at line c sits between c − 1 and c.
        // The band of differences within two lines of each border is "along the border"; everything else is interior.
        var band = lines.SelectMany(c => Enumerable.Range(c - 3, 5)).Where(i => i >= 0 && i < perLine.Length).ToHashSet();
        var border = band.Select(i => perLine[i]).Average();
        var interior = Enumerable.Range(0, perLine.Length).Where(i => !band.Contains(i)).Select(i => perLine[i]).Average();
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
