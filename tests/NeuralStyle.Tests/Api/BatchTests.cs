using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Api;

public sealed class BatchTests
{
    [Fact]
    public async Task A_batch_gives_the_same_images_as_single_runs()
    {
        using var village = SampleImages.Content();
        using var waves = SampleImages.Style("style-waves.png");
        using var portrait = SkBitmaps.Resized(waves, 70, 90);
        using var style = SampleImages.Style();
        var options = StyleTransferTests.Small with { Iterations = 8, UnclampedFinalIterations = 0 };
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
                var independent = ImageTensor.ToRgb01(ImageTensor.FromBitmap(batch[(i + 1) % contents.Length].Image));
                if (independent.shape.SequenceEqual(b.shape) && i != 0 && i != 3)
                {
                    independent.sub(b).abs().mean().item<float>().Should().BeGreaterThan(0.1f);
                }

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
    public async Task First_step_of_a_batch_matches_single_runs_closely()
    {
        using var village = SampleImages.Content();
        using var waves = SampleImages.Style("style-waves.png");
        using var style = SampleImages.Style();
        var options = StyleTransferTests.Small with { Iterations = 1, UnclampedFinalIterations = 0 };
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
