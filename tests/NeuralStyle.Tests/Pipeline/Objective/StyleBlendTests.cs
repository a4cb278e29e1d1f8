using System;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline.Objective;

public sealed class StyleBlendTests
{
    [Fact]
    public async Task Blend_weights_1_0_reproduce_the_single_style_run_and_0_1_the_other()
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var waves = SampleImages.Style("style-waves.png");
        var options = ControlsKit.Small(iterations: 5);
        using var mosaicOnly = await ControlsKit.Run(content, mosaic, options);
        using var wavesOnly = await ControlsKit.Run(content, waves, options);
        using var first = await ControlsKit.Run(content, [mosaic, waves], options with { StyleBlendWeights = [1, 0] });
        using var second = await ControlsKit.Run(content, [mosaic, waves], options with { StyleBlendWeights = [0, 3] });
        using var half = await ControlsKit.Run(content, [mosaic, waves], options);

        first.Image.Bytes.Should().Equal(mosaicOnly.Image.Bytes);
        first.FinalLosses.Total.Should().Be(mosaicOnly.FinalLosses.Total);
        second.Image.Bytes.Should().Equal(wavesOnly.Image.Bytes, "weights are normalised: 0/3 is 0/1");
        half.Image.Bytes.Should().NotEqual(mosaicOnly.Image.Bytes);
        half.Image.Bytes.Should().NotEqual(wavesOnly.Image.Bytes);
    }

    [Fact]
    public async Task Blended_targets_are_the_weighted_sum_of_the_grams()
    {
        // With no iterations the reported style loss is that of the start image against A = Σ w_k Gram_k.
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var waves = SampleImages.Style("style-waves.png");
        var options = ControlsKit.Small(iterations: 0) with { Initialization = Initialization.Noise };
        using var blended = await ControlsKit.Run(content, [mosaic, waves], options with { StyleBlendWeights = [0.7, 0.3] });
        using var tensors = await StyleTransfer.RunAsync(
            Rgb01(content), [Rgb01(mosaic), Rgb01(waves)], options with { StyleBlendWeights = [7, 3] }, cancellationToken: TestContext.Current.CancellationToken);
        blended.FinalLosses.Style.Should().BeGreaterThan(0);
        tensors.FinalLosses.Style.Should().BeApproximately(blended.FinalLosses.Style, blended.FinalLosses.Style * 1e-3, "the tensor overload blends the same way");
        options.ResolveStyleBlendWeights(2).Should().Equal(0.5, 0.5);
        (options with { StyleBlendWeights = [7, 3] }).ResolveStyleBlendWeights(2).Should().Equal(0.7, 0.3);
    }

    [Fact]
    public async Task Blend_weights_need_one_weight_per_style()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var act = () => ControlsKit.Run(content, [style, style], ControlsKit.Small() with { StyleBlendWeights = [1, 2, 3] });
        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("StyleBlendWeights").WithMessage("*one weight per style image (2)*");
        var empty = () => ControlsKit.Run(content, Array.Empty<SkiaSharp.SKBitmap>(), ControlsKit.Small());
        await empty.Should().ThrowAsync<ArgumentException>();
    }

    private static Tensor Rgb01(SkiaSharp.SKBitmap bitmap) => ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap)).DetachFromDisposeScope();
}
