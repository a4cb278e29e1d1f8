using System;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline.Inputs;

public sealed class MaskTests
{
    [Fact]
    public void Masked_gram_is_the_gram_of_the_selected_region_and_a_white_mask_changes_nothing()
    {
        using var scope = NewDisposeScope();
        var features = randn(1, 8, 6, 10, generator: new TorchSharp.torch.Generator(5));
        var white = ones(1, 1, 6, 10);
        GramMatrix.ComputeMasked(features, white).sub(GramMatrix.Compute(features)).abs().max().item<float>().Should().BeLessThan(1e-6f);

        var right = zeros(1, 1, 6, 10);
        right[.., .., .., 4..] = tensor(1f);
        var expected = GramMatrix.Compute(features[.., .., .., 4..].contiguous());
        GramMatrix.ComputeMasked(features, right).sub(expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
        GramMatrix.ComputeMasked(features, right, normalize: false).sub(GramMatrix.Compute(features[.., .., .., 4..].contiguous(), normalize: false)).abs().max().item<float>().Should().BeLessThan(1e-4f);

        // A mask at another size is resized to the features' size.
        GramMatrix.ComputeMasked(features, ones(12, 20)).sub(GramMatrix.Compute(features)).abs().max().item<float>().Should().BeLessThan(1e-6f);
        var act = () => GramMatrix.ComputeMasked(features, ones(1, 2, 6, 10));
        act.Should().Throw<ArgumentException>().WithParameterName("mask");
    }

    [Fact]
    public async Task Half_black_mask_keeps_the_black_half_and_stylises_the_white_half()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        using var mask = ControlsKit.SplitMask(64, 48, split: 32); // result is 64×48: left half black, right half white
        using var result = await ControlsKit.Run(content, style, ControlsKit.Small(iterations: 30) with { Mask = mask });

        using var scope = NewDisposeScope();
        var original = ImageTensor.ToRgb01(ImageTensor.FromBitmap(content, 48));
        var output = ControlsKit.Rgb(result.Image);
        var keptMax = ControlsKit.MaxAbsDiff(output, original, 0, 32);
        var kept = ControlsKit.MeanAbsDiff(output, original, 0, 32);
        var stylised = ControlsKit.MeanAbsDiff(output, original, 32, 64);
        ControlsKit.Log($"mean |result − content|: black half {kept:G3} (max {keptMax:G3}), white half {stylised:G3}");

        keptMax.Should().BeLessThanOrEqualTo(0.5 / 255 + 1e-6, "black keeps the content up to 8-bit rounding");
        stylised.Should().BeGreaterThan(0.08);
        stylised.Should().BeGreaterThan(20 * (kept + 1e-3));
    }

    [Fact]
    public async Task A_mask_per_style_places_each_style_in_its_region()
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var red = ControlsKit.Tinted(mosaic, 1f, 0.15f, 0.3f);
        using var blue = ControlsKit.Tinted(mosaic, 0.2f, 0.4f, 1f);
        using var left = ControlsKit.SplitMask(64, 48, split: 32, whiteRight: false);
        using var right = ControlsKit.SplitMask(64, 48, split: 32);
        using var result = await ControlsKit.Run(content, [red, blue], ControlsKit.Small(iterations: 40) with { StyleMasks = [left, right] });

        using var scope = NewDisposeScope();
        var output = ControlsKit.Rgb(result.Image);
        var l = ControlsKit.MeanYCbCr(output, 0, 32);
        var r = ControlsKit.MeanYCbCr(output, 32, 64);
        ControlsKit.Log($"mean (Y, Cb, Cr): left (red style) {l}, right (blue style) {r}");
        l.Cr.Should().BeGreaterThan(r.Cr + 0.1, "the red style paints the left half");
        r.Cb.Should().BeGreaterThan(l.Cb + 0.1, "the blue style paints the right half");
    }

    [Fact]
    public async Task Style_masks_need_one_mask_per_style()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        using var mask = ControlsKit.SplitMask(64, 48, 32);
        var act = () => ControlsKit.Run(content, [style, style], ControlsKit.Small() with { StyleMasks = [mask] });
        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("StyleMasks");
    }
}
