using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Video.IO;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Tests;

public sealed class WarmStartTests
{
    [Fact]
    public async Task The_start_is_the_previous_result_moved_along_the_pan_and_the_loss_is_zero_there()
    {
        using var folder = new TempFolder();
        // 2 px per frame to the left; the "previous result" is the previous frame itself, so the start must be this frame.
        var input = Clips.Pan(folder.Path, frames: 2, width: 128, height: 96, step: 2, codec: "-c:v libx264 -crf 4 -pix_fmt yuv444p");
        await using var reader = FrameReader.Open(FfmpegTools.Locate(null), input, 128, 96);
        var first = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;
        var second = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;

        var (start, loss) = FrameStyliser.WarmStart(first, second, first, weight: 1, CPU);
        using (start)
        using (loss)
        using (var scope = NewDisposeScope())
        {
            var startTensor = ImageTensor.FromBitmap(start);
            var expected = second.ToTensor();
            // Away from the right edge (which came from outside the previous frame) and the flat sky.
            var region = (Tensor t) => t[TensorIndex.Ellipsis, TensorIndex.Slice(40, 90), TensorIndex.Slice(4, 120)];
            region(startTensor).sub(region(expected)).abs().mean().item<float>().Should().BeLessThan(0.08f);

            using var atTarget = new FeatureMaps(startTensor, []);
            var atStart = loss.Compute(atTarget).item<float>();
            using var elsewhere = new FeatureMaps(first.ToTensor(), []);
            var atPrevious = loss.Compute(elsewhere).item<float>();
            atStart.Should().BeLessThan(atPrevious / 20, "the start is (up to 8-bit rounding) the loss's target; the unmoved frame is not");
        }
    }
}
