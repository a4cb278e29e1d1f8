using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline;

/// <summary>
/// Every option in every kind of run (whole image, coarse-to-fine, tiled, batch), each cell asserting the option's effect on
/// the result rather than that the run finished.
/// </summary>
public sealed class OptionMatrixTests
{
    public static TheoryData<RunKind> Kinds => RunKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_mask_keeps_the_content_where_it_is_black(RunKind kind)
    {
        var size = kind == RunKind.Tiled ? (96, 72) : (85, 64);
        using var mask = RunKinds.RightHalf(size.Item1, size.Item2);
        var (results, _, content) = await RunKinds.RunAsync(kind, RunKinds.Options(kind) with { Mask = mask });
        using var scope = NewDisposeScope();
        foreach (var result in results.Take(1))
        {
            (result.Width, result.Height).Should().Be(size);
            var difference = RunKinds.Rgb(result).sub(RunKinds.ContentAt(content, result)).abs();
            var half = size.Item1 / 2;
            var kept = difference[TensorIndex.Ellipsis, TensorIndex.Slice(0, half - 2)].mean().item<float>();
            var stylised = difference[TensorIndex.Ellipsis, TensorIndex.Slice(half + 2, size.Item1)].mean().item<float>();
            kept.Should().BeLessThan(1.5f / 255, $"{kind}: the black half of the mask stays the content (up to rounding)");
            stylised.Should().BeGreaterThan(10 * kept + (2f / 255), $"{kind}: the white half is stylised");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_additional_loss_is_minimised(RunKind kind)
    {
        using var darkness = new MeanBrightnessLoss(weight: 1e9);
        var (results, log, content) = await RunKinds.RunAsync(kind, RunKinds.Options(kind) with { AdditionalLosses = [darkness] });
        using var scope = NewDisposeScope();
        var reports = log.Reports;
        reports.Should().OnlyContain(r => r.Losses.Terms.ContainsKey("brightness"), $"{kind}: the term is part of every report");
        reports[^1].Losses.Terms["brightness"].Should().BeLessThan(0.8 * reports[0].Losses.Terms["brightness"], $"{kind}: the term's value falls over the run");
        var before = RunKinds.ContentAt(content, results[0]).mean().item<float>();
        RunKinds.Rgb(results[0]).mean().item<float>().Should().BeLessThan(before - 0.02f, $"{kind}: the result is darker, as the term asks");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Previews_have_the_results_size_and_finish(RunKind kind)
    {
        var size = kind == RunKind.Tiled ? (96, 72) : (85, 64);
        using var mask = RunKinds.RightHalf(size.Item1, size.Item2);
        var options = RunKinds.Options(kind, iterations: 4) with { Mask = mask, PreserveColors = ColorPreservation.Luminance, Optimizer = RunKinds.Options(kind, iterations: 4).Optimizer with { PreviewInterval = 2 } };
        var (results, log, _) = await RunKinds.RunAsync(kind, options);
        var previews = log.Reports.Where(r => r.Preview is not null).Select(r => r.Preview!).ToArray();
        try
        {
            previews.Should().NotBeEmpty();
            previews.Should().OnlyContain(p => p.Width == size.Item1 && p.Height == size.Item2, $"{kind}: every preview has the result's size");
            using var scope = NewDisposeScope();
            var last = RunKinds.Rgb(previews[^1]).sub(RunKinds.Rgb(results[0])).abs().max().item<float>();
            last.Should().BeLessThanOrEqualTo(1.5f / 255, $"{kind}: the last preview is the result, finished the same way");
        }
        finally
        {
            foreach (var preview in previews)
            {
                preview.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Luminance_preservation_keeps_the_contents_chroma(RunKind kind)
    {
        var (results, _, content) = await RunKinds.RunAsync(kind, RunKinds.Options(kind) with { PreserveColors = ColorPreservation.Luminance });
        using var scope = NewDisposeScope();
        var result = ColorTransfer.RgbToYCbCr(RunKinds.Rgb(results[0]));
        var original = ColorTransfer.RgbToYCbCr(RunKinds.ContentAt(content, results[0]));
        var chroma = result.narrow(1, 1, 2).sub(original.narrow(1, 1, 2)).abs().mean().item<float>();
        var luma = result.narrow(1, 0, 1).sub(original.narrow(1, 0, 1)).abs().mean().item<float>();
        chroma.Should().BeLessThan(8f / 255, $"{kind}: the chroma is the content's (up to clamping and rounding)");
        luma.Should().BeGreaterThan(3 * chroma, $"{kind}: the luminance is stylised");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Lbfgs_reduces_the_loss(RunKind kind)
    {
        var (_, log, _) = await RunKinds.RunAsync(kind, RunKinds.Options(kind, iterations: 6) with { Optimizer = RunKinds.Options(kind, iterations: 6).Optimizer with { Kind = OptimizerKind.Lbfgs } });
        var reports = log.Reports;
        var firstOfLastStage = reports.First(r => r.Stage == reports[^1].Stage && r.Tile == reports[^1].Tile);
        reports[^1].TotalLoss.Should().BeLessThan(0.9 * firstOfLastStage.TotalLoss, $"{kind}: L-BFGS lowers the loss");
    }

    [Theory]
    [InlineData(RunKind.CoarseToFine)]
    [InlineData(RunKind.Tiled)]
    public async Task The_stage_style_anchor_holds_the_first_stages_texture(RunKind kind)
    {
        // Two stages, 32 → 72 px; the tiled kind optimises the second in 64 px tiles (each tile holds its part of the first result).
        // 40 iterations: with 20 the tiled ratio moved from 0.68 to 1.05 when libtorch ran its portable kernels instead of AVX2
        // ones (ATEN_CPU_CAPABILITY=default, as on a machine whose CPU it cannot read); with 40 it is 0.35–0.55 with AVX2, portable
        // and SSE-only kernels alike (CONTRIBUTING.md, "Tests that hold on every CPU").
        var options = RunKinds.Options(kind, iterations: 40) with { ImageSize = 72 };
        options = options with { HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.On, CoarseSize = 32, ScaleFactor = 2.5, StageAnchorWeight = 3000, StageStyleAnchorWeight = 1000 } };
        var held = await TextureDistanceToFirstStage(kind, options);
        var free = await TextureDistanceToFirstStage(kind, options with { HighResolution = options.HighResolution with { StageStyleAnchorWeight = 0 } });
        held.Should().BeLessThan(0.8 * free, $"{kind}: the style anchor keeps the first stage's texture at its size ({held:G4} vs {free:G4} without it)");
    }

    /// <summary>
    /// Σ_l Σ (G_l(down(result)) − G_l(first stage's result))² over the style layers at the first stage's size, the first stage's
    /// result made again by the same run at that size alone.
    /// </summary>
    private static async Task<double> TextureDistanceToFirstStage(RunKind kind, StyleTransferOptions options)
    {
        var (results, log, _) = await RunKinds.RunAsync(kind, options);
        log.Reports.Max(r => r.StageCount).Should().Be(2);
        log.Reports.Any(r => r.TileCount > 1).Should().Be(kind == RunKind.Tiled, $"{kind}: the second stage is tiled only in the tiled kind");
        var single = options with { ImageSize = options.HighResolution.CoarseSize, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.Off, TileSize = null } };
        var (firsts, _, _) = await RunKinds.RunAsync(RunKind.Whole, single);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var first = firsts[0];
        var small = ImageTensor.Resize(RunKinds.Rgb(results[0]), first.Height, first.Width);
        int[] layers = [.. options.ResolveStyleLayers().Select(l => l.Layer)];
        using var smallFeatures = Extractors.Cpu.Extract(ImageTensor.FromRgb01(small), layers.Max());
        using var firstFeatures = Extractors.Cpu.Extract(ImageTensor.FromRgb01(RunKinds.Rgb(first)), layers.Max());
        return layers.Sum(l => GramMatrix.Compute(smallFeatures[l]).sub(GramMatrix.Compute(firstFeatures[l])).square().sum().item<float>());
    }

    /// <summary>A term of the caller's: the weighted squared mean of the RGB image (pushes towards dark).</summary>
    private sealed class MeanBrightnessLoss(double weight) : LossBase("brightness", [])
    {
        protected override Tensor ComputeCore(FeatureMaps features)
            => ImageTensor.ToRgb01(features.Image).mean().square().mul(weight);
    }
}
