using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Optimization;
using TorchSharp;
using Xunit;

namespace NeuralStyle.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Presets_are_the_seeds_three()
    {
        var c = StyleTransferPresets.CompositionVii;
        (c.ImageSize, c.StyleSize, c.ContentLayer, c.ContentWeight, c.TotalVariationWeight).Should().Be((192, 512, 3, 5e-2, 5e-2));
        c.StyleLayers.Should().Equal(1, 4, 6, 7);
        c.StyleWeights.Should().Equal(20000, 500, 12, 1);

        var s = StyleTransferPresets.TheScream;
        (s.ImageSize, s.StyleSize, s.ContentWeight, s.TotalVariationWeight).Should().Be((192, 224, 3e-2, 2e-2));
        s.StyleWeights.Should().Equal(200000, 800, 12, 1);

        var n = StyleTransferPresets.StarryNight;
        (n.ImageSize, n.StyleSize, n.ContentWeight, n.TotalVariationWeight).Should().Be((192, 192, 6e-2, 2e-2));
        n.StyleWeights.Should().Equal(300000, 1000, 15, 3);

        foreach (var preset in new[] { c, s, n })
        {
            (preset.Iterations, preset.Optimizer.LearningRate, preset.Optimizer.DecayedLearningRate, preset.Optimizer.ClampBound, preset.Optimizer.UnclampedFinalIterations)
                .Should().Be((200, 3.0, 0.1, 1.5, 10));
            preset.Validate();
        }
    }

    [Fact]
    public void Presets_can_be_varied_with_with()
    {
        var longer = StyleTransferPresets.TheScream with { Iterations = 400 };
        longer.Iterations.Should().Be(400);
        longer.StyleWeights.Should().Equal(StyleTransferPresets.TheScream.StyleWeights);
        StyleTransferPresets.TheScream.Iterations.Should().Be(200);
    }

    // Expected values typed from /work/shared/reference/reference_gatys.py's PRESETS (style_size, content_weight,
    // style_weights, tv_weight), not read from StyleTransferPresets: a name mapped to the wrong preset fails.
    [Theory]
    [InlineData("composition-vii", 512, 5e-2, new[] { 20000.0, 500, 12, 1 }, 5e-2)]
    [InlineData("COMPOSITION_VII", 512, 5e-2, new[] { 20000.0, 500, 12, 1 }, 5e-2)]
    [InlineData("the-scream", 224, 3e-2, new[] { 200000.0, 800, 12, 1 }, 2e-2)]
    [InlineData("The_Scream", 224, 3e-2, new[] { 200000.0, 800, 12, 1 }, 2e-2)]
    [InlineData("starry_night", 192, 6e-2, new[] { 300000.0, 1000, 15, 3 }, 2e-2)]
    [InlineData("starry-night", 192, 6e-2, new[] { 300000.0, 1000, 15, 3 }, 2e-2)]
    public void Presets_are_found_by_name(string name, int styleSize, double contentWeight, double[] styleWeights, double tvWeight)
    {
        var preset = StyleTransferPresets.Get(name);

        (preset.ImageSize, preset.StyleSize, preset.ContentLayer, preset.ContentWeight, preset.TotalVariationWeight)
            .Should().Be((192, styleSize, 3, contentWeight, tvWeight));
        preset.StyleLayers.Should().Equal(1, 4, 6, 7);
        preset.StyleWeights.Should().Equal(styleWeights);
    }

    [Fact]
    public void Unknown_preset_names_the_choices()
    {
        var act = () => StyleTransferPresets.Get("mona-lisa");
        act.Should().Throw<ArgumentException>().WithMessage("*mona-lisa*composition-vii*");
    }

    [Fact]
    public void Seed_schedule_is_3_then_0_1_from_iteration_180()
    {
        var options = new StyleTransferOptions();
        options.Iterations.Should().Be(200);
        options.Optimizer.LearningRateAt(179, options.Iterations).Should().Be(3.0);
        options.Optimizer.LearningRateAt(180, options.Iterations).Should().Be(0.1);
        var lbfgs = options.Optimizer with { Kind = OptimizerKind.Lbfgs };
        Enumerable.Range(0, 200).Select(t => lbfgs.LearningRateAt(t, 200)).Should().OnlyContain(rate => rate == 1.0, "L-BFGS has no schedule");
        lbfgs.EffectiveClampBound.Should().BeNull();
    }

    public static TheoryData<StyleTransferOptions, string> InvalidOptions => new()
    {
        { new StyleTransferOptions { ImageSize = 8 }, "ImageSize" },
        { new StyleTransferOptions { StyleSize = 100_000 }, "StyleSize" },
        { new StyleTransferOptions { ContentLayer = 13 }, "ContentLayer" },
        { new StyleTransferOptions { ContentWeight = -1 }, "ContentWeight" },
        { new StyleTransferOptions { ContentWeight = double.PositiveInfinity }, "ContentWeight" },
        { new StyleTransferOptions { StyleLayers = [] }, "StyleLayers" },
        { new StyleTransferOptions { StyleLayers = [1, 1, 6, 7] }, "StyleLayers" },
        { new StyleTransferOptions { StyleWeights = [1, 2] }, "StyleWeights" },
        { new StyleTransferOptions { StyleWeights = [1, 2, double.NaN, 4] }, "StyleWeights" },
        { new StyleTransferOptions { TotalVariationWeight = 1e20 }, "TotalVariationWeight" },
        { new StyleTransferOptions { Iterations = -5 }, "Iterations" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LearningRate = 0 } }, "Optimizer.LearningRate" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { DecayStartFraction = 1.5 } }, "Optimizer.DecayStartFraction" },
        { new StyleTransferOptions { Initialization = Initialization.Image }, "InitialImage" },
        { new StyleTransferOptions { Runtime = new RuntimeOptions { Threads = 0 } }, "Runtime.Threads" },
        { new StyleTransferOptions { Runtime = new RuntimeOptions { Device = "tpu" } }, "Runtime.Device" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { ProgressInterval = 0 } }, "Optimizer.ProgressInterval" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { ClampBound = -1 } }, "Optimizer.ClampBound" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_rejected_naming_the_option(StyleTransferOptions options, string name)
    {
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().WithParameterName(name).WithMessage($"*{name}*");
    }

    [Theory]
    [InlineData("auto", null, -1)]
    [InlineData("CPU", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, -1)]
    [InlineData(" cuda:1 ", DeviceType.CUDA, 1)]
    public void Device_names_parse(string name, DeviceType? type, int index)
        => DeviceSelector.Parse(name).Should().Be((type, index));

    [Fact]
    public void Auto_device_falls_back_to_cpu_and_cuda_without_a_gpu_is_a_clear_error()
    {
        DeviceSelector.Choose("auto", () => false, () => 0).Should().Be((DeviceType.CPU, -1));
        DeviceSelector.Choose("auto", () => true, () => 1).Should().Be((DeviceType.CUDA, -1));
        var act = () => DeviceSelector.Choose("cuda", () => false, () => 0);
        act.Should().Throw<NotSupportedException>().WithMessage("*CUDA is not available*");
        act = () => DeviceSelector.Choose("cuda:2", () => true, () => 1);
        act.Should().Throw<ArgumentException>().WithMessage("*1 CUDA device*");
        DeviceSelector.Choose("cuda:1", () => true, () => 2).Should().Be((DeviceType.CUDA, 1));
        DeviceSelector.Resolve("cpu").type.Should().Be(DeviceType.CPU);
        if (!torch.cuda.is_available())
        {
            var real = () => DeviceSelector.Resolve("cuda");
            real.Should().Throw<NotSupportedException>();
        }
    }
}
