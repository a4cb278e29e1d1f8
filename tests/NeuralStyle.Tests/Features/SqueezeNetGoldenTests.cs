using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

public sealed class SqueezeNetGoldenTests
{
    [Fact]
    public void Per_layer_sums_match_the_reference_within_1e4_relative()
    {
        var extractor = Extractors.Cpu;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var a = Golden.InputA();
        using var maps = extractor.Extract(a, 12);

        maps.Count.Should().Be(13);
        foreach (var layer in Golden.Root.GetProperty("layers").EnumerateArray())
        {
            var index = layer.GetProperty("index").GetInt32();
            var f = maps[index];
            f.shape.Should().Equal(layer.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), $"layer {index} shape");
            var f64 = f.to(ScalarType.Float64);
            ShouldBeClose(f64.sum().item<double>(), layer.GetProperty("sum").GetDouble(), 1e-4, $"layer {index} sum");
            ShouldBeClose(f64.square().sum().item<double>(), layer.GetProperty("sum_sq").GetDouble(), 1e-4, $"layer {index} sum of squares");
            var gramSum = NeuralStyle.Losses.GramMatrix.Compute(f).to(ScalarType.Float64).sum().item<double>();
            ShouldBeClose(gramSum, layer.GetProperty("gram_sum").GetDouble(), 1e-4, $"layer {index} Gram sum");
            var first = f.flatten().narrow(0, 0, 4).data<float>().ToArray();
            var expected = layer.GetProperty("first_values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (var i = 0; i < 4; i++)
            {
                first[i].Should().BeApproximately((float)expected[i], 1e-4f + (1e-4f * (float)Math.Abs(expected[i])), $"layer {index} value {i}");
            }
        }
    }

    public static TheoryData<int, int, int> ChannelsLastShapes => new()
    {
        { 0, 0, 0 }, // the golden input
        { 1, 33, 47 },
        { 1, 50, 41 },
        { 2, 64, 64 },
        { 1, 96, 128 },
        { 1, 19, 23 },
    };

    [Theory]
    [MemberData(nameof(ChannelsLastShapes))]
    public void Channels_last_gives_the_same_features_and_input_gradient_as_contiguous_memory(int batch, int height, int width)
    {
        using var channelsLast = SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights);
        using var contiguous = SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights);
        channelsLast.ChannelsLast.Should().BeTrue("the default on the CPU");
        contiguous.ChannelsLast = false;
        using var scope = NewDisposeScope();
        var a = batch == 0 ? Golden.InputA() : rand([batch, 3, height, width], generator: new TorchSharp.torch.Generator(11)).sub(0.5).mul(4);

        (Tensor[] Layers, Tensor Gradient) Run(SqueezeNetFeatureExtractor extractor)
        {
            var x = a.clone().requires_grad_();
            using var maps = extractor.Extract(x, 7);
            var layers = Enumerable.Range(0, 8).Select(i => maps[i].detach().contiguous()).ToArray();
            var objective = Enumerable.Range(0, 8).Select(i => maps[i].square().mean()).Aggregate((p, q) => p.add(q));
            return (layers, torch.autograd.grad([objective], [x])[0]);
        }

        var (fast, fastGradient) = Run(channelsLast);
        var (plain, plainGradient) = Run(contiguous);
        for (var i = 0; i < 8; i++)
        {
            var scale = plain[i].abs().max().item<float>();
            fast[i].sub(plain[i]).abs().max().item<float>().Should().BeLessThan(1e-4f * scale, $"layer {i}");
        }

        // The gradient is compared as a whole and element by element, but not by its worst element: where a unit sits at
        // ReLU's kink (|f| ~ 1e-7) the two summation orders may put it on either side, and that one unit then passes or
        // stops the gradient of the layers above it for its 3×3 neighbourhood. With oneDNN held to SSE4.1
        // (ONEDNN_MAX_CPU_ISA=SSE41) that moved 1.2 % of the 96×128 input gradient by up to 2.3e-3 of its largest value
        // (7.9e-4 of its norm) while every feature map agreed to 7.5e-7; a wrong memory layout moves all of it, by its size.
        var gradientScale = plainGradient.abs().max().item<float>();
        gradientScale.Should().BeGreaterThan(0);
        var difference = fastGradient.sub(plainGradient);
        difference.norm().item<float>().Should().BeLessThan(1e-2f * plainGradient.norm().item<float>(), "the gradient as a whole is the same");
        var agreeing = difference.abs().le(1e-4f * gradientScale).to_type(ScalarType.Float32).mean().item<float>();
        agreeing.Should().BeGreaterThan(0.95f, "all but the few elements under a unit at ReLU's kink agree to 1e-4 of the largest");
    }

    [Fact]
    public void Extract_stops_at_the_last_layer_asked_for()
    {
        using var scope = NewDisposeScope();
        using var a = Golden.InputA();
        using var maps = Extractors.Cpu.Extract(a, 7);
        maps.Count.Should().Be(8);
        var act = () => maps[8];
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Extractor_is_frozen_and_names_its_layers()
    {
        var extractor = Extractors.Cpu;
        extractor.LayerNames.Should().HaveCount(13);
        SqueezeNetFeatureExtractor.LayerIndex("fire2").Should().Be(3);
        SqueezeNetFeatureExtractor.LayerIndex("FIRE9").Should().Be(12);
        SqueezeNetFeatureExtractor.LayerIndex("pool5").Should().Be(8);
        var act = () => SqueezeNetFeatureExtractor.LayerIndex("fire10");
        act.Should().Throw<ArgumentException>().WithMessage("*fire10*");

        // The network behind the extractor (a private field: the public surface exposes no module).
        var network = (TorchSharp.torch.nn.Module)typeof(SqueezeNetFeatureExtractor)
            .GetField("_network", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(extractor)!;
        var parameters = network.named_parameters().ToList();
        parameters.Should().HaveCount(50, "SqueezeNet 1.1 features: conv1 and eight fire modules of three convolutions, weight and bias each");
        parameters.Should().OnlyContain(p => !p.parameter.requires_grad, "every weight is frozen");
        network.training.Should().BeFalse("the network is in evaluation mode");
        network.modules().Should().OnlyContain(m => !m.training, "and so is every submodule");

        using var scope = NewDisposeScope();
        using var a = Golden.InputA().requires_grad_(true);
        using var maps = extractor.Extract(a, 12);
        maps[12].sum().backward();
        a.grad.Should().NotBeNull("gradients flow to the pixels");
        var withGradient = parameters.Where(p => p.parameter.grad is not null).Select(p => p.name).ToList();
        withGradient.Should().BeEmpty("no weight receives a gradient");
    }

    [Theory]
    [InlineData(24, 12, false)]
    [InlineData(25, 12, true)]
    [InlineData(2, 0, false)]
    [InlineData(3, 0, true)]
    [InlineData(6, 3, false)]
    [InlineData(7, 3, true)]
    public void Too_small_inputs_are_rejected_with_the_minimum_size(int size, int lastLayer, bool accepted)
    {
        using var scope = NewDisposeScope();
        using var image = zeros(1, 3, size, size);
        var act = () => Extractors.Cpu.Extract(image, lastLayer).Dispose();
        if (accepted)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<ArgumentException>().WithMessage($"*at least {SqueezeNetFeatureExtractor.MinimumInputSizeFor(lastLayer)}*");
        }
    }

    [Fact]
    public void Minimum_input_size_for_all_layers_is_25()
    {
        SqueezeNetFeatureExtractor.MinimumInputSizeFor(12).Should().Be(25);
        Extractors.Cpu.MinimumInputSize.Should().Be(25);
    }

    internal static void ShouldBeClose(double actual, double expected, double relative, string because)
        => actual.Should().BeApproximately(expected, Math.Max(Math.Abs(expected) * relative, 1e-9), because);
}
