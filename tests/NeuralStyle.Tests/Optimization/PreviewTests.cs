using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

public sealed class PreviewTests
{
    [Fact]
    public async Task Previews_show_the_finished_image_with_mask_and_preserved_colours()
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var waves = SampleImages.Style("style-waves.png");
        using var mask = ControlsKit.SplitMask(64, 48, split: 32);
        var log = new ProgressLog();
        var options = ControlsKit.Small(iterations: 6) with
        {
            Mask = mask,
            PreserveColors = ColorPreservation.Luminance,
            StyleBlendWeights = [0.6, 0.4],
            Initialization = Initialization.Blend,
            Optimizer = ControlsKit.Small(iterations: 6).Optimizer with { ProgressInterval = 2, PreviewInterval = 3 },
        };
        using var result = await StyleTransfer.RunAsync(content, [mosaic, waves], options, log, TestContext.Current.CancellationToken);
        try
        {
            log.Reports.Select(r => r.Iteration).Should().Equal(2, 3, 4, 6); // every 2, and every 3 with a preview
            log.Reports.Select(r => r.Preview is not null).Should().Equal(false, true, false, true);
            var last = log.Reports[^1].Preview!;
            last.Bytes.Should().Equal(result.Image.Bytes, "the last preview is the result");

            using var scope = NewDisposeScope();
            var original = ImageTensor.ToRgb01(ImageTensor.FromBitmap(content, 48));
            ControlsKit.MaxAbsDiff(ControlsKit.Rgb(last), original, 0, 32).Should().BeLessThanOrEqualTo(1.0 / 255 + 1e-6, "the preview keeps the masked-out half");
        }
        finally
        {
            foreach (var report in log.Reports)
            {
                report.Preview?.Dispose();
            }
        }
    }
}
