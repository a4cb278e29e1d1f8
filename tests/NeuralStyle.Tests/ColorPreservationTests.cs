using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

public sealed class ColorPreservationTests
{
    [Fact]
    public void YCbCr_round_trips_and_has_the_bt601_luma()
    {
        using var scope = NewDisposeScope();
        var rgb = rand(1, 3, 5, 7, generator: new TorchSharp.torch.Generator(3));
        var ycbcr = ColorTransfer.RgbToYCbCr(rgb);
        ColorTransfer.YCbCrToRgb(ycbcr).sub(rgb).abs().max().item<float>().Should().BeLessThan(1e-5f);
        var y = rgb[0, 0].mul(0.299).add(rgb[0, 1].mul(0.587)).add(rgb[0, 2].mul(0.114));
        ycbcr[0, 0].sub(y).abs().max().item<float>().Should().BeLessThan(1e-6f);
        var grey = full(1, 3, 2, 2, 0.4f);
        ColorTransfer.RgbToYCbCr(grey).narrow(1, 1, 2).abs().max().item<float>().Should().BeLessThan(1e-6f, "grey has no chroma");
    }

    [Fact]
    public void Histogram_matching_gives_the_reference_mean_and_covariance()
    {
        using var scope = NewDisposeScope();
        // Correlated channels, statistics chosen so that the matched pixels stay inside [0, 1], where the match is exact.
        var generator = new TorchSharp.torch.Generator(11);
        var mix = tensor(new[] { 1f, 0.3f, 0f, 0.2f, 1f, 0.1f, 0f, 0.4f, 1f }, [3, 3]);
        var content = mix.matmul(rand(3, 48 * 64, generator: generator)).mul(0.25).add(0.2).reshape(1, 3, 48, 64);
        var style = rand(1, 3, 40, 40, generator: generator).mul(0.3).add(tensor(new[] { 0.1f, 0.2f, 0.5f }, [1, 3, 1, 1]));
        var matched = ColorTransfer.MatchColorStatistics(style, content);
        matched.min().item<float>().Should().BeGreaterThan(0);
        matched.max().item<float>().Should().BeLessThan(1);

        matched.shape.Should().Equal(style.shape);
        var (meanC, covC) = Stats(content);
        var (meanM, covM) = Stats(matched);
        meanM.sub(meanC).abs().max().item<double>().Should().BeLessThan(1e-5);
        covM.sub(covC).abs().max().item<double>().Should().BeLessThan(1e-5);
    }

    [Fact]
    public async Task Preserved_colours_follow_the_content_not_a_strongly_coloured_style()
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var red = ControlsKit.Tinted(mosaic, 1f, 0.15f, 0.3f); // strongly red: Cr far above the village's
        var options = ControlsKit.Small(iterations: 60);
        using var none = await ControlsKit.Run(content, red, options);
        using var luminance = await ControlsKit.Run(content, red, options with { PreserveColors = ColorPreservation.Luminance });
        using var histogram = await ControlsKit.Run(content, red, options with { PreserveColors = ColorPreservation.HistogramMatch });

        using var scope = NewDisposeScope();
        var c = ControlsKit.MeanYCbCr(ImageTensor.Resize(ControlsKit.Rgb(content), 48, 64));
        var s = ControlsKit.MeanYCbCr(ControlsKit.Rgb(red));
        var n = ControlsKit.MeanYCbCr(ControlsKit.Rgb(none.Image));
        var l = ControlsKit.MeanYCbCr(ControlsKit.Rgb(luminance.Image));
        var h = ControlsKit.MeanYCbCr(ControlsKit.Rgb(histogram.Image));
        ControlsKit.Log($"mean (Y, Cb, Cr): content {c}, style {s}, none {n}, luminance {l}, histogram {h}");

        // Without preservation the result takes the red style's chroma.
        n.Cr.Should().BeGreaterThan(c.Cr + 0.2);
        n.Cb.Should().BeApproximately(s.Cb, 0.02);

        // Luminance-only transfer keeps the content's chroma (up to clamping and 8-bit rounding).
        l.Cb.Should().BeApproximately(c.Cb, 0.01);
        l.Cr.Should().BeApproximately(c.Cr, 0.01);

        // Histogram matching paints with the content's palette: chroma near the content, far from the style.
        h.Cb.Should().BeApproximately(c.Cb, 0.02);
        h.Cr.Should().BeApproximately(c.Cr, 0.02);
        System.Math.Abs(h.Cr - c.Cr).Should().BeLessThan(System.Math.Abs(h.Cr - s.Cr) / 5);
    }

    private static (Tensor Mean, Tensor Covariance) Stats(Tensor rgb)
    {
        var x = rgb.to(ScalarType.Float64).reshape(3, -1);
        var mean = x.mean([1], keepdim: true);
        var centred = x.sub(mean);
        return (mean, centred.matmul(centred.t()).div(x.shape[1]));
    }
}
