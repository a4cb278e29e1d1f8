using System;
using FluentAssertions;
using NeuralStyle.Optimization;
using Xunit;

namespace NeuralStyle.Tests;

public sealed class ControlOptionsTests
{
    public static TheoryData<StyleTransferOptions, string> InvalidOptions => new()
    {
        { new StyleTransferOptions { StyleScale = 0.1 }, "StyleScale" },
        { new StyleTransferOptions { StyleScale = 5 }, "StyleScale" },
        { new StyleTransferOptions { StyleScale = double.NaN }, "StyleScale" },
        { new StyleTransferOptions { StyleBlendWeights = [] }, "StyleBlendWeights" },
        { new StyleTransferOptions { StyleBlendWeights = [0, 0] }, "StyleBlendWeights" },
        { new StyleTransferOptions { StyleBlendWeights = [1, -1] }, "StyleBlendWeights" },
        { new StyleTransferOptions { StyleMasks = [] }, "StyleMasks" },
        { new StyleTransferOptions { PreserveColors = (ColorPreservation)7 }, "PreserveColors" },
        { new StyleTransferOptions { Initialization = (Initialization)9 }, "Initialization" },
        { new StyleTransferOptions { InitNoiseRatio = 1.5 }, "InitNoiseRatio" },
        { new StyleTransferOptions { ContentLayers = [] }, "ContentLayers" },
        { new StyleTransferOptions { ContentLayers = [3, 13] }, "ContentLayers" },
        { new StyleTransferOptions { ContentLayers = [3, 3] }, "ContentLayers" },
        { new StyleTransferOptions { ContentLayers = [3, 6], ContentLayerWeights = [1] }, "ContentLayerWeights" },
        { new StyleTransferOptions { ContentLayerWeights = [1, 2] }, "ContentLayerWeights" },
        { new StyleTransferOptions { ContentLayerWeights = [-1] }, "ContentLayerWeights" },
        { new StyleTransferOptions { StyleLayers = [1, 20], StyleWeights = [1, 1] }, "StyleLayers" },
        { new StyleTransferOptions { NormalizeStyleWeightsTo = 0 }, "NormalizeStyleWeightsTo" },
        { new StyleTransferOptions { NormalizeStyleWeightsTo = 1, StyleWeights = [0, 0, 0, 0] }, "NormalizeStyleWeightsTo" },
        { new StyleTransferOptions { StyleStrength = -0.5 }, "StyleStrength" },
        { new StyleTransferOptions { StyleStrength = double.PositiveInfinity }, "StyleStrength" },
        { new StyleTransferOptions { Optimizer = new OptimizerOptions { LbfgsTolerance = -1 } }, "Optimizer.LbfgsTolerance" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_control_options_are_rejected_naming_the_option(StyleTransferOptions options, string name)
    {
        var act = options.Validate;
        act.Should().Throw<ArgumentException>().WithParameterName(name).WithMessage($"*{name}*");
    }

    [Fact]
    public void Defaults_leave_the_seed_preset_unchanged()
    {
        var options = new StyleTransferOptions();
        (options.StyleScale, options.StyleBlendWeights, options.Mask, options.StyleMasks, options.ContentLayers, options.ContentLayerWeights, options.NormalizeStyleWeightsTo)
            .Should().Be((null, null, null, null, null, null, null));
        (options.PreserveColors, options.StyleStrength, options.Initialization, options.Optimizer.LbfgsTolerance).Should().Be((ColorPreservation.None, 1.0, Initialization.Content, 1e-9));
        (options with { Optimizer = options.Optimizer with { LbfgsTolerance = 1e-5 } }).Optimizer.LbfgsTolerance.Should().Be(1e-5);
        options.ValidateForStyles(1);
        var act = () => (options with { StyleBlendWeights = [1, 1] }).ValidateForStyles(3);
        act.Should().Throw<ArgumentException>().WithParameterName("StyleBlendWeights");
    }
}
