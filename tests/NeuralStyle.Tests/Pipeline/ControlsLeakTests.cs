using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline;

public sealed class ControlsLeakTests
{
    [Fact]
    public void Runs_with_every_control_leave_no_live_tensors()
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var waves = SampleImages.Style("style-waves.png");
        using var left = ControlsKit.SplitMask(64, 48, 32, whiteRight: false);
        using var right = ControlsKit.SplitMask(64, 48, 32);
        var small = ControlsKit.Small(iterations: 3) with { Optimizer = ControlsKit.Small(iterations: 3).Optimizer with { ProgressInterval = 1, PreviewInterval = 2 } };
        StyleTransferOptions[] variants =
        [
            small with { StyleMasks = [left, right], PreserveColors = ColorPreservation.Luminance, Initialization = Initialization.Blend, ContentLayers = [3, 6], StyleScale = 0.5 },
            small with { Mask = right, PreserveColors = ColorPreservation.HistogramMatch, Initialization = Initialization.Style, StyleBlendWeights = [1, 2], Optimizer = small.Optimizer with { Kind = OptimizerKind.Lbfgs } },
        ];
        foreach (var options in variants)
        {
            Run(content, [mosaic, waves], options); // warm-up: lazily created state
            var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Run(content, [mosaic, waves], options);
            Run(content, [mosaic, waves], options);
            DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, DisposeScopeManager.Statistics.ToString());
        }
    }

    private static void Run(SKBitmap content, SKBitmap[] styles, StyleTransferOptions options)
        => PipelineRun.Run(content, styles, options, (image, reports) =>
        {
            image.shape.Should().Equal(1, 3, 48, 64);
            reports.Where(r => r.Preview is not null).Should().NotBeEmpty();
        });
}
