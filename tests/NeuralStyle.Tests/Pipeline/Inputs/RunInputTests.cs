using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline.Inputs;

/// <summary>
/// Bad inputs through <see cref="StyleTransfer.RunAsync(SKBitmap, SKBitmap, StyleTransferOptions?, IProgress{StyleTransferProgress}?, System.Threading.CancellationToken)"/>
/// and its tensor overload: one and zero pixels, empty and non-finite tensors, extreme aspect ratios, and the option
/// checks the options tests do not cover. Every refusal happens before the weights are loaded (the tests give a weights
/// path that does not exist to prove it).
/// </summary>
public sealed class RunInputTests
{
    [Fact]
    public async Task One_pixel_images_are_enlarged_to_the_requested_size_and_stylised()
    {
        using var content = TestImages.Create(1, 1, (_, _) => new SKColor(200, 80, 40));
        using var style = TestImages.Create(1, 1, (_, _) => new SKColor(20, 90, 220));

        // Enough steps at rate 1 for the style to show. Measured: 1 step 1.41, 20 steps 0.35, 60 steps 0.14 (two at the
        // presets' rate 3, as before, are noise).
        var options = Tiny with { Iterations = 60, Optimizer = Tiny.Optimizer with { LearningRate = 1 } };

        using var result = await StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        (result.Image.Width, result.Image.Height).Should().Be((32, 32));
        double.IsFinite(result.FinalLosses.Total).Should().BeTrue();
        var relative = StyleMeasure.RelativeStyleLoss(result.Image, content, style, options);
        TestContext.Current.TestOutputHelper?.WriteLine($"style loss relative to the content: {relative:F3}");
        relative.Should().BeLessThan(StyleMeasure.StylisedBelow, "the enlarged pixel takes the style");
    }

    [Fact]
    public async Task One_pixel_images_kept_at_their_size_are_refused_naming_the_minimum()
    {
        using var one = TestImages.Create(1, 1, (_, _) => SKColors.Gray);
        using var normal = Content();
        var minimum = SqueezeNetFeatureExtractor.MinimumInputSizeFor(7);

        var contentTooSmall = () => StyleTransfer.RunAsync(one, normal, Tiny with { ImageSize = null, StyleSize = 32, Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);
        var styleTooSmall = () => StyleTransfer.RunAsync(normal, one, Tiny with { StyleSize = null, ImageSize = null, Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);

        (await contentTooSmall.Should().ThrowAsync<ArgumentException>()).WithParameterName("content").WithMessage($"*content image is 1×1*at least {minimum}×{minimum}*");
        (await styleTooSmall.Should().ThrowAsync<ArgumentException>()).WithParameterName("style").WithMessage($"*style image is 1×1*at least {minimum}×{minimum}*");
    }

    [Fact]
    public async Task The_minimum_follows_the_deepest_layer_used()
    {
        using var small = TestImages.Noise(20, 20);
        var deep = Tiny with { ImageSize = null, StyleSize = null, StyleLayers = [1, 12], StyleWeights = [1, 1], Weights = Tiny.Weights with { Path = MissingWeights } };
        var minimum = SqueezeNetFeatureExtractor.MinimumInputSizeFor(12);

        var act = () => StyleTransfer.RunAsync(small, small, deep, cancellationToken: Ct);

        minimum.Should().BeGreaterThan(20);
        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage($"*20×20*at least {minimum}×{minimum}*");
    }

    [Fact]
    public async Task Zero_pixel_bitmaps_are_refused()
    {
        using var empty = new SKBitmap();
        using var normal = Content();

        var emptyContent = () => StyleTransfer.RunAsync(empty, normal, Tiny with { Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);
        var emptyStyle = () => StyleTransfer.RunAsync(normal, empty, Tiny with { Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);

        (await emptyContent.Should().ThrowAsync<ArgumentException>()).WithParameterName("content").WithMessage("*empty*0×0*");
        (await emptyStyle.Should().ThrowAsync<ArgumentException>()).WithParameterName("style").WithMessage("*empty*");
    }

    public static TheoryData<string, string> BadTensors => new()
    {
        { "zero height", "*empty*[1,3,0,8]*" },
        { "zero width", "*empty*[3,8,0]*" },
        { "one NaN", "*holds 1 NaN or infinite value;*" },
        { "NaN and infinities", "*holds 3 NaN or infinite values*" },
        { "disposed", "*disposed*" },
    };

    [Theory]
    [MemberData(nameof(BadTensors))]
    public async Task Empty_disposed_and_non_finite_tensors_are_refused_before_running(string kind, string message)
    {
        using var scope = NewDisposeScope();
        var good = rand(1, 3, 32, 32);
        Tensor bad;
        switch (kind)
        {
            case "zero height":
                bad = zeros(1, 3, 0, 8);
                break;
            case "zero width":
                bad = zeros(3, 8, 0);
                break;
            case "one NaN":
                bad = rand(1, 3, 32, 32);
                bad[0, 1, 5, 7] = tensor(float.NaN);
                break;
            case "NaN and infinities":
                bad = rand(1, 3, 32, 32);
                bad[0, 0, 0, 0] = tensor(float.PositiveInfinity);
                bad[0, 2, 9, 9] = tensor(float.NegativeInfinity);
                bad[0, 1, 3, 3] = tensor(float.NaN);
                break;
            default:
                bad = rand(1, 3, 32, 32);
                bad.Dispose();
                break;
        }

        var asContent = () => StyleTransfer.RunAsync(bad, good, Tiny with { Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);
        var asStyle = () => StyleTransfer.RunAsync(good, bad, Tiny with { Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);

        (await asContent.Should().ThrowAsync<ArgumentException>()).WithParameterName("content").WithMessage(message);
        (await asStyle.Should().ThrowAsync<ArgumentException>()).WithParameterName("style").WithMessage(message);
    }

    [Fact]
    public async Task Extreme_aspect_ratios_are_refused_before_allocating()
    {
        // 1 × 4000 with a shorter side of 192 would be 192 × 768,000 pixels (1.7 GB as float RGB, far more in features).
        using var sliver = TestImages.Create(1, 4000, (_, y) => new SKColor((byte)y, 0, 0));
        using var normal = Style();

        var act = () => StyleTransfer.RunAsync(sliver, normal, Tiny with { ImageSize = 192, Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("content")
            .WithMessage("*1×4000*192×768000*StyleTransferOptions.ImageSize*StyleTransferOptions.Runtime.MaxImagePixels (67,108,864)*")
            .Which.Message.Should().NotContain("--", "the library names its options, not the CLI's flags");
    }

    [Fact]
    public async Task The_pixel_limit_applies_to_the_style_image_and_can_be_changed()
    {
        using var content = Content(40, 32);      // 40×32 → 40×32 at ImageSize 32
        using var style = Style(64, 32);          // 64×32 → 64×32 at StyleSize 32

        var tooStrict = () => StyleTransfer.RunAsync(content, style, Tiny with { Runtime = Tiny.Runtime with { MaxImagePixels = 64 * 32 - 1 }, Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);
        (await tooStrict.Should().ThrowAsync<ArgumentException>()).WithParameterName("style").WithMessage("*64×32*StyleSize*");

        using var result = await StyleTransfer.RunAsync(content, style, Tiny with { Iterations = 1, Runtime = Tiny.Runtime with { MaxImagePixels = 64 * 32 } }, cancellationToken: Ct);
        result.Image.Width.Should().Be(40);
    }

    public static TheoryData<StyleTransferOptions, string> MoreInvalidOptions => new()
    {
        { new StyleTransferOptions { ImageSize = 0 }, "ImageSize" },
        { new StyleTransferOptions { StyleSize = 15 }, "StyleSize" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LearningRate = double.NaN } }, "Optimizer.LearningRate" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LearningRate = 1e5 } }, "Optimizer.LearningRate" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { DecayedLearningRate = double.PositiveInfinity } }, "Optimizer.DecayedLearningRate" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LbfgsLearningRate = -1 } }, "Optimizer.LbfgsLearningRate" },
        { new StyleTransferOptions { TotalVariationWeight = double.NaN }, "TotalVariationWeight" },
        { new StyleTransferOptions { ContentWeight = 1e13 }, "ContentWeight" },
        { new StyleTransferOptions { StyleWeights = [1, 2, 3, -4] }, "StyleWeights" },
        { new StyleTransferOptions { StyleLayers = [1, 13], StyleWeights = [1, 1] }, "StyleLayers" },
        { new StyleTransferOptions { StyleLayers = [-1], StyleWeights = [1] }, "StyleLayers" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { DecayStartFraction = double.NaN } }, "Optimizer.DecayStartFraction" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { ClampBound = double.NaN } }, "Optimizer.ClampBound" },
        { new StyleTransferOptions { Iterations = 1_000_001 }, "Iterations" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LbfgsHistorySize = 0 } }, "Optimizer.LbfgsHistorySize" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { UnclampedFinalIterations = -1 } }, "Optimizer.UnclampedFinalIterations" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { PreviewInterval = -1 } }, "Optimizer.PreviewInterval" },
        { new StyleTransferOptions { Runtime = new RuntimeOptions { Threads = 1025 } }, "Runtime.Threads" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { Kind = (NeuralStyle.Optimization.OptimizerKind)42 } }, "Optimizer.Kind" },
        { new StyleTransferOptions { Runtime = new RuntimeOptions { MaxImagePixels = 0 } }, "Runtime.MaxImagePixels" },
        { new StyleTransferOptions { AdditionalLosses = [null!] }, "AdditionalLosses" },
        { new StyleTransferOptions { AdditionalLosses = [new LayerLoss("deep", 13)] }, "AdditionalLosses" },
        { new StyleTransferOptions { AdditionalLosses = [new LayerLoss(" ", 1)] }, "AdditionalLosses" },
    };

    [Theory]
    [MemberData(nameof(MoreInvalidOptions))]
    public void More_invalid_options_are_rejected_naming_the_option(StyleTransferOptions options, string name)
    {
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().WithParameterName(name).WithMessage($"*{name}*");
    }

    [Fact]
    public void An_additional_loss_reading_a_missing_layer_is_named()
    {
        var options = new StyleTransferOptions { AdditionalLosses = [new LayerLoss("deep", 13)] };
        FluentActions.Invoking(options.Validate).Should().Throw<ArgumentException>().WithMessage("*'deep' reads [13]*");
    }

    [Fact]
    public async Task An_empty_initial_image_is_refused()
    {
        using var empty = new SKBitmap();
        using var content = Content();
        using var style = Style();
        var options = Tiny with { Initialization = Initialization.Image, InitialImage = empty, Weights = Tiny.Weights with { Path = MissingWeights } };

        var act = () => StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("InitialImage");
    }

    [Fact]
    public async Task Wrong_dtype_and_shape_are_refused()
    {
        using var scope = NewDisposeScope();
        var good = rand(1, 3, 32, 32);
        var cases = new List<Tensor> { zeros(new long[] { 1, 3, 32, 32 }, ScalarType.Byte), rand(2, 3, 32, 32), rand(1, 1, 32, 32), rand(32, 32) };
        foreach (var bad in cases)
        {
            var act = () => StyleTransfer.RunAsync(bad, good, Tiny with { Weights = Tiny.Weights with { Path = MissingWeights } }, cancellationToken: Ct);
            (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("content").WithMessage("*[1,3,H,W]*");
        }
    }

    /// <summary>An <see cref="ILoss"/> that is not a <see cref="LossBase"/>, so nothing checks its name and layers early.</summary>
    private sealed class LayerLoss(string name, int layer) : ILoss
    {
        public string Name => name;

        public IReadOnlyCollection<int> Layers => [layer];

        public Tensor Compute(FeatureMaps features) => features[layer].mean();
    }
}
