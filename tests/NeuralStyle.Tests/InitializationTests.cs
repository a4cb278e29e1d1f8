using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

public sealed class InitializationTests
{
    [Fact]
    public void Content_is_the_documented_default()
    {
        new StyleTransferOptions().Initialization.Should().Be(Initialization.Content);
        new StyleTransferOptions().InitNoiseRatio.Should().Be(0.5);
    }

    [Fact]
    public async Task Blend_init_spans_content_to_noise_and_is_deterministic_per_seed()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = ControlsKit.Small(iterations: 3) with { Seed = 7 };
        using var fromContent = await ControlsKit.Run(content, style, options);
        using var fromNoise = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Noise });
        using var blend0 = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Blend, InitNoiseRatio = 0 });
        using var blend1 = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Blend, InitNoiseRatio = 1 });
        using var a = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Blend, InitNoiseRatio = 0.4 });
        using var b = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Blend, InitNoiseRatio = 0.4 });
        using var c = await ControlsKit.Run(content, style, options with { Initialization = Initialization.Blend, InitNoiseRatio = 0.4, Seed = 8 });

        blend0.Image.Bytes.Should().Equal(fromContent.Image.Bytes, "ratio 0 is the content");
        blend1.Image.Bytes.Should().Equal(fromNoise.Image.Bytes, "ratio 1 is the noise of the noise initialisation");
        a.Image.Bytes.Should().Equal(b.Image.Bytes, "same seed, inputs, device and threads give identical bytes");
        a.Image.Bytes.Should().NotEqual(c.Image.Bytes, "another seed draws other noise");
        a.Image.Bytes.Should().NotEqual(fromContent.Image.Bytes);
    }

    [Fact]
    public async Task Style_init_starts_from_the_style_resized_to_the_content()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style("style-waves.png");
        var options = ControlsKit.Small(iterations: 1) with { Initialization = Initialization.Style, Optimizer = ControlsKit.Small(iterations: 1).Optimizer with { LearningRate = 1e-4, UnclampedFinalIterations = 1 } };
        using var result = await ControlsKit.Run(content, style, options);
        using var scope = NewDisposeScope();
        var expected = ImageTensor.Resize(ImageTensor.ToRgb01(ImageTensor.FromBitmap(style, 48)), 48, 64);
        ControlsKit.Rgb(result.Image).sub(expected).abs().mean().item<float>().Should().BeLessThan(0.01f);
    }
}
