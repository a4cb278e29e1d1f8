using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.HighResolution;

public sealed class StageAnchorTests
{
    [Fact]
    public void The_anchor_is_the_weighted_squared_distance_of_the_downsampled_image_to_the_previous_result()
    {
        using var scope = NewDisposeScope();
        var previous = Golden.InputB().narrow(2, 0, 32).narrow(3, 0, 48);
        var pixels = Golden.InputA().narrow(2, 0, 64).narrow(3, 0, 96).detach().requires_grad_(true);
        using var loss = new StageAnchorLoss([(previous, 7)]);
        using var maps = new FeatureMaps(pixels, []);
        var value = loss.Compute(maps);

        using (no_grad())
        {
            var expected = Downsampled(pixels, 32, 48).sub(previous).square().sum().item<float>() * 7;
            value.item<float>().Should().BeApproximately(expected, expected * 1e-5f);
        }

        loss.Name.Should().Be("anchor");
        loss.Layers.Should().BeEmpty();
        value.backward();
        pixels.grad!.abs().sum(1).gt(0).all().item<bool>().Should().BeTrue("every full-size pixel contributes to the downsampled image");
    }

    [Fact]
    public void Each_earlier_stage_is_a_term_at_its_own_size()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var coarse = Golden.InputB().narrow(2, 0, 16).narrow(3, 0, 24);
        var middle = Golden.InputB().narrow(2, 0, 32).narrow(3, 0, 48);
        var pixels = Golden.InputA().narrow(2, 0, 64).narrow(3, 0, 96);
        using var loss = new StageAnchorLoss([(coarse, 4), (middle, 1)]);
        using var maps = new FeatureMaps(pixels, []);
        var expected = (4 * Downsampled(pixels, 16, 24).sub(coarse).square().sum().item<float>())
            + Downsampled(pixels, 32, 48).sub(middle).square().sum().item<float>();
        loss.Compute(maps).item<float>().Should().BeApproximately(expected, expected * 1e-5f);
    }

    [Fact]
    public void The_anchor_copies_its_target()
    {
        using var scope = NewDisposeScope();
        var previous = zeros(1, 3, 8, 8);
        using var loss = new StageAnchorLoss([(previous, 1)]);
        previous.add_(1);
        using var maps = new FeatureMaps(zeros(1, 3, 16, 16), []);
        loss.Compute(maps).item<float>().Should().Be(0, "the loss keeps its own copy of the previous result");
    }

    [Fact]
    public async Task The_anchor_keeps_the_fine_result_close_to_the_coarse_stage_at_the_coarse_size()
    {
        // At 48 px the anchor's sum has 28× fewer pixels than at the 256 px it was tuned at: the weight makes up for that.
        var options = Options with { HighResolution = Options.HighResolution with { StageAnchorWeight = 3000 } };
        var (anchored, anchoredDistance) = await RunAndMeasure(options);
        var (free, freeDistance) = await RunAndMeasure(options with { HighResolution = options.HighResolution with { StageAnchorWeight = 0 } });

        anchored.Where(r => r.Stage == 1).Should().OnlyContain(r => !r.Losses.Terms.ContainsKey("anchor"));
        anchored.Where(r => r.Stage == 2).Should().OnlyContain(r => r.Losses.Terms["anchor"] > 0);
        free.Should().OnlyContain(r => !r.Losses.Terms.ContainsKey("anchor"));
        Console.WriteLine($"mean |down(result) − first stage's result|: anchored {anchoredDistance:F4}, free {freeDistance:F4}");
        anchoredDistance.Should().BeLessThan(freeDistance * 0.6, "the anchor holds the first stage's picture");
    }

    [Fact]
    public async Task Tiles_of_a_fine_stage_are_anchored_to_their_part_of_the_previous_result()
    {
        var options = Options with { HighResolution = Options.HighResolution with { StageAnchorWeight = 3000, TileSize = 80, TileOverlap = 16 } };
        var (anchored, anchoredDistance) = await RunAndMeasure(options);
        var (_, freeDistance) = await RunAndMeasure(options with { HighResolution = options.HighResolution with { StageAnchorWeight = 0 } });

        anchored.Where(r => r.Stage == 2).Should().HaveCount(4).And.OnlyContain(r => r.TileCount == 4 && r.Losses.Terms["anchor"] > 0);
        Console.WriteLine($"tiled: anchored {anchoredDistance:F4}, free {freeDistance:F4}");
        anchoredDistance.Should().BeLessThan(freeDistance * 0.6);
    }

    [Fact]
    public void The_style_anchor_adds_the_Gram_distance_to_the_first_result_at_its_size()
    {
        using var scope = NewDisposeScope();
        var extractor = Extractors.Cpu;
        var first = Golden.InputB().narrow(2, 0, 48).narrow(3, 0, 64);
        var pixels = Golden.InputA().narrow(2, 0, 96).narrow(3, 0, 128).detach().requires_grad_(true);
        int[] layers = [1, 4];
        double[] weights = [30, 2];
        using var plain = new StageAnchorLoss([(first, 7)]);
        using var styled = new StageAnchorLoss([(first, 7)], new FirstStageStyle(extractor, layers, weights));
        using var maps = new FeatureMaps(pixels, []);

        var value = styled.Compute(maps);
        using (no_grad())
        {
            using var down = extractor.Extract(Downsampled(pixels, 48, 64), 4);
            using var reference = extractor.Extract(first, 4);
            var gram = layers.Select((l, i) => weights[i] * PlainGram.Of(down[l]).sub(PlainGram.Of(reference[l])).square().sum().item<float>()).Sum();
            gram.Should().BeGreaterThan(0);
            var expected = plain.Compute(maps).item<float>() + gram;
            value.item<float>().Should().BeApproximately((float)expected, (float)expected * 1e-5f);

            // At the first result itself both terms vanish.
            using var atFirst = new FeatureMaps(first, []);
            styled.Compute(atFirst).item<float>().Should().BeApproximately(0, 1e-3f);
        }

        value.backward();
        pixels.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task The_style_anchor_keeps_the_first_stage_texture_at_its_size()
    {
        var options = Options with { HighResolution = Options.HighResolution with { StageAnchorWeight = 3000, StageStyleAnchorWeight = 1000 } };
        var (_, _, held) = await RunAndMeasureBoth(options);
        var (_, _, free) = await RunAndMeasureBoth(options with { HighResolution = options.HighResolution with { StageStyleAnchorWeight = 0 } });

        Console.WriteLine($"Gram distance to the first stage at its size: held {held:G4}, free {free:G4}");
        held.Should().BeLessThan(free * 0.6, "the style anchor holds the first stage's texture");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_anchor_weights_are_rejected(double weight)
    {
        var act = () => StyleTransfer.EstimateMemory(1024, 768, new StyleTransferOptions { HighResolution = new HighResolutionOptions { StageAnchorWeight = weight } });
        act.Should().Throw<ArgumentException>().WithMessage("*StageAnchorWeight*");
        var style = () => StyleTransfer.EstimateMemory(1024, 768, new StyleTransferOptions { HighResolution = new HighResolutionOptions { StageStyleAnchorWeight = weight } });
        style.Should().Throw<ArgumentException>().WithMessage("*StageStyleAnchorWeight*");
    }

    private static StyleTransferOptions Options => StyleTransferTests.Small with
    {
        ImageSize = 96, StyleSize = 48, Iterations = 40,
        Optimizer = StyleTransferTests.Small.Optimizer with { ProgressInterval = 40, PreviewInterval = 40 },
        HighResolution = StyleTransferTests.Small.HighResolution with { CoarseSize = 48, CoarseToFine = CoarseToFineMode.On },
    };

    /// <summary>Runs coarse-to-fine (two stages) and measures how far the result, brought down to the first stage's size, is from that stage's result (its last preview).</summary>
    private static async Task<(StyleTransferProgress[] Reports, double Distance)> RunAndMeasure(StyleTransferOptions options)
    {
        var (reports, distance, _) = await RunAndMeasureBoth(options);
        return (reports, distance);
    }

    /// <summary>
    /// Also measures the texture: Σ_l Σ (G_l(down(result)) − G_l(first stage's result))² over the style layers, the Gram matrices
    /// taken at the first stage's size.
    /// </summary>
    private static async Task<(StyleTransferProgress[] Reports, double Distance, double GramDistance)> RunAndMeasureBoth(StyleTransferOptions options)
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var log = new ProgressLog();
        using var result = await StyleTransfer.RunAsync(content, style, options, log, TestContext.Current.CancellationToken);
        var reports = log.Reports.ToArray();
        try
        {
            // Previews have the result's size, so the first stage's result is made again: the same run at that stage's size alone.
            using var firstRun = await StyleTransfer.RunAsync(content, style, options with { ImageSize = options.HighResolution.CoarseSize, Optimizer = options.Optimizer with { PreviewInterval = 0 }, HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.Off } }, cancellationToken: TestContext.Current.CancellationToken);
            var first = firstRun.Image;
            using var scope = NewDisposeScope();
            var small = Downsampled(ImageTensor.ToRgb01(ImageTensor.FromBitmap(result.Image)), first.Height, first.Width);
            var reference = ImageTensor.ToRgb01(ImageTensor.FromBitmap(first));
            var preview = Downsampled(ImageTensor.ToRgb01(ImageTensor.FromBitmap(reports.Last(r => r.Stage == 1).Preview!)), first.Height, first.Width);
            int[] layers = [.. options.ResolveStyleLayers().Select(l => l.Layer)];
            using var noGrad = no_grad();
            using var smallFeatures = Extractors.Cpu.Extract(ImageTensor.FromRgb01(small), layers.Max());
            using var referenceFeatures = Extractors.Cpu.Extract(ImageTensor.FromRgb01(reference), layers.Max());
            var gramDistance = layers.Sum(l => PlainGram.Of(smallFeatures[l]).sub(PlainGram.Of(referenceFeatures[l])).square().sum().item<float>());
            return (reports, small.sub(preview).abs().mean().item<float>(), gramDistance);
        }
        finally
        {
            foreach (var report in reports)
            {
                report.Preview?.Dispose();
            }
        }
    }

    /// <summary>
    /// Antialiased bilinear downsampling written out as two matrices, apart from <c>ImageTensor.Resize</c>: output pixel i
    /// takes input pixel j with the triangle weight <c>max(0, 1 − |(j + ½ − (i + ½)·s) / s|)</c>, s = in/out, normalised
    /// over the row (PIL's and torch's definition, which trims the triangle at the borders).
    /// </summary>
    private static Tensor Downsampled(Tensor image, int height, int width)
        => Weights(height, (int)image.shape[2]).matmul(image).matmul(Weights(width, (int)image.shape[3]).t());

    private static Tensor Weights(int outSize, int inSize)
    {
        var scale = (double)inSize / outSize;
        var rows = new float[outSize * inSize];
        for (var i = 0; i < outSize; i++)
        {
            double sum = 0, center = (i + 0.5) * scale;
            for (var j = 0; j < inSize; j++)
            {
                sum += Math.Max(0, 1 - Math.Abs((j + 0.5 - center) / scale));
            }

            for (var j = 0; j < inSize; j++)
            {
                rows[(i * inSize) + j] = (float)(Math.Max(0, 1 - Math.Abs((j + 0.5 - center) / scale)) / sum);
            }
        }

        return tensor(rows, [outSize, inSize]);
    }
}
