using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

public sealed class BatchTests
{
    [Fact]
    public async Task A_batch_gives_the_same_images_as_single_runs()
    {
        using var village = SampleImages.Content();
        using var waves = SampleImages.Style("style-waves.png");
        using var portrait = SkBitmaps.Resized(waves, 70, 90);
        using var style = SampleImages.Style();
        var options = StyleTransferTests.Small with { Iterations = 8, Optimizer = StyleTransferTests.Small.Optimizer with { UnclampedFinalIterations = 0 } };
        var contents = new[] { village, waves, portrait, village };

        var batch = await StyleTransfer.RunBatchAsync(contents, style, options, cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            batch.Should().HaveCount(4);
            batch.Select(r => (r.Image.Width, r.Image.Height)).Should().Equal((85, 64), (64, 64), (64, 82), (85, 64));
            for (var i = 0; i < contents.Length; i++)
            {
                using var single = await StyleTransfer.RunAsync(contents[i], style, options, cancellationToken: TestContext.Current.CancellationToken);
                using var scope = NewDisposeScope();
                var a = ImageTensor.ToRgb01(ImageTensor.FromBitmap(single.Image));
                var b = ImageTensor.ToRgb01(ImageTensor.FromBitmap(batch[i].Image));
                // Batched convolutions sum in another order, and Adam's sign-like first steps (lr 3) amplify the rounding,
                // so the images agree closely but not bit for bit; an image coupled to its batch-mates would differ grossly.
                a.sub(b).abs().mean().item<float>().Should().BeLessThan(0.05f, $"image {i}");
                batch[i].FinalLosses.Content.Should().BeGreaterThan(0);
                batch[i].FinalLosses.Style.Should().BeGreaterThan(0);
            }

            batch[0].FinalLosses.Total.Should().BeApproximately(batch[3].FinalLosses.Total, batch[0].FinalLosses.Total * 1e-3, "the same image in one batch");
        }
        finally
        {
            foreach (var result in batch)
            {
                result.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_image_in_a_batch_does_not_depend_on_its_batch_mate()
    {
        // The village twice, each time batched with a very different mate of the same size (so in one tensor): noise,
        // then the village's negative. Uncoupled, the village comes out the same both times and as it does alone.
        using var village = SampleImages.Content();
        using var noise = Imaging.TestImages.Noise(village.Width, village.Height, seed: 7u);
        using var negative = Imaging.TestImages.Create(village.Width, village.Height, (x, y) =>
        {
            var p = village.GetPixel(x, y);
            return new SKColor((byte)(255 - p.Red), (byte)(255 - p.Green), (byte)(255 - p.Blue));
        });
        using var style = SampleImages.Style();
        var options = StyleTransferTests.Small with { Iterations = 8, Optimizer = StyleTransferTests.Small.Optimizer with { UnclampedFinalIterations = 0 } };
        var ct = TestContext.Current.CancellationToken;

        var withNoise = await StyleTransfer.RunBatchAsync([village, noise], style, options, cancellationToken: ct);
        var withNegative = await StyleTransfer.RunBatchAsync([village, negative], style, options, cancellationToken: ct);
        try
        {
            using var alone = await StyleTransfer.RunAsync(village, style, options, cancellationToken: ct);
            using var scope = NewDisposeScope();
            static Tensor Rgb(SKBitmap bitmap) => ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap));
            static float MeanDifference(Tensor a, Tensor b) => a.sub(b).abs().mean().item<float>();
            var mates = MeanDifference(Rgb(withNoise[1].Image), Rgb(withNegative[1].Image));
            var sameImage = MeanDifference(Rgb(withNoise[0].Image), Rgb(withNegative[0].Image));
            var batchedVsAlone = MeanDifference(Rgb(withNoise[0].Image), Rgb(alone.Image));
            TestContext.Current.TestOutputHelper?.WriteLine($"mates differ by {mates:F4}; the village with either mate by {sameImage:F6}; batched vs alone by {batchedVsAlone:F4}");

            mates.Should().BeGreaterThan(0.2f, "the mates are very different images");
            sameImage.Should().BeLessThan(0.002f, "the village's result does not depend on its mate");
            batchedVsAlone.Should().BeLessThan(0.05f, "and matches a single run up to the batched convolutions' rounding");
            withNoise[0].FinalLosses.Total.Should().BeApproximately(withNegative[0].FinalLosses.Total, withNoise[0].FinalLosses.Total * 1e-3);
        }
        finally
        {
            foreach (var result in withNoise.Concat(withNegative))
            {
                result.Dispose();
            }
        }
    }

    [Fact]
    public async Task First_step_of_a_batch_matches_single_runs_closely()
    {
        using var village = SampleImages.Content();
        using var waves = SampleImages.Style("style-waves.png");
        using var style = SampleImages.Style();
        var options = StyleTransferTests.Small with { Iterations = 1, Optimizer = StyleTransferTests.Small.Optimizer with { UnclampedFinalIterations = 0 } };
        var batch = await StyleTransfer.RunBatchAsync([village, waves], style, options, cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            using var single = await StyleTransfer.RunAsync(waves, style, options, cancellationToken: TestContext.Current.CancellationToken);
            using var scope = NewDisposeScope();
            var a = ImageTensor.ToRgb01(ImageTensor.FromBitmap(single.Image));
            var b = ImageTensor.ToRgb01(ImageTensor.FromBitmap(batch[1].Image));
            a.sub(b).abs().max().item<float>().Should().BeLessThanOrEqualTo(1.5f / 255);
        }
        finally
        {
            foreach (var result in batch)
            {
                result.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_empty_batch_is_rejected()
    {
        using var style = SampleImages.Style();
        var act = () => StyleTransfer.RunBatchAsync([], style, StyleTransferTests.Small, cancellationToken: TestContext.Current.CancellationToken);
        await act.Should().ThrowAsync<System.ArgumentException>();
        var withNull = () => StyleTransfer.RunBatchAsync([null!], style, StyleTransferTests.Small, cancellationToken: TestContext.Current.CancellationToken);
        (await withNull.Should().ThrowAsync<System.ArgumentNullException>()).WithParameterName("contents[0]");
    }
}
