using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Video.Flow;
using NeuralStyle.Video.IO;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Tests;

public sealed class OpticalFlowTests
{
    [Fact]
    public async Task The_flow_of_a_pan_is_its_known_motion()
    {
        using var folder = new TempFolder();
        // The window moves 2 px right per frame at 128×96: the content moves 2 px left, forward flow (−2, 0).
        var input = Clips.Pan(folder.Path, frames: 2, width: 128, height: 96, step: 2, codec: "-c:v libx264 -crf 4 -pix_fmt yuv444p");
        await using var reader = FrameReader.Open(FfmpegTools.Locate(null), input, 128, 96);
        var first = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;
        var second = (await reader.ReadAsync(TestContext.Current.CancellationToken))!;

        using var scope = NewDisposeScope();
        var forward = OpticalFlow.Estimate(first, second);
        var backward = OpticalFlow.Estimate(second, first);
        // The interior, away from the columns that enter or leave the frame; the median, since the flat sky at the top has no
        // texture to follow (its flow stays near 0, which warps it just as well).
        var interior = (Tensor f, int channel) => f[0, channel, TensorIndex.Slice(8, 88), TensorIndex.Slice(8, 120)];
        interior(forward, 0).median().item<float>().Should().BeApproximately(-2f, 0.1f);
        interior(forward, 1).abs().median().item<float>().Should().BeLessThan(0.1f);
        interior(backward, 0).median().item<float>().Should().BeApproximately(2f, 0.1f);

        // The previous frame warped by the backward flow is this frame where the flow is trusted.
        var c = FlowWarp.ConsistencyWeights(backward, forward);
        var warped = FlowWarp.Warp(first.ToTensor(), backward);
        var error = warped.sub(second.ToTensor()).abs().mul(c).sum().div(c.sum().mul(3)).item<float>();
        error.Should().BeLessThan(0.1f, "normalised units: about 6 of 255 levels");
        c.mean().item<float>().Should().BeGreaterThan(0.85f);
    }
}
