using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Weights;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

public sealed class SqueezeNetLoadingTests
{
    [Fact]
    public void All_three_weight_formats_give_identical_features()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = Golden.InputA();
        using var fromSafeTensors = SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights);
        using var fromZip = SqueezeNetFeatureExtractor.FromFile(SharedAssets.ZipPthWeights);
        using var fromLegacy = SqueezeNetFeatureExtractor.FromFile(SharedAssets.LegacyPthWeights);
        using var a = fromSafeTensors.Extract(image, 12);
        using var b = fromZip.Extract(image, 12);
        using var c = fromLegacy.Extract(image, 12);
        for (var layer = 0; layer < 13; layer++)
        {
            Tensors.Identical(a[layer], b[layer]).Should().BeTrue($"zip .pth layer {layer}");
            Tensors.Identical(a[layer], c[layer]).Should().BeTrue($"legacy .pth layer {layer}");
        }
    }

    [Fact]
    public void Classifier_keys_are_ignored()
    {
        var weights = WeightFileReader.Read(SharedAssets.SafeTensorsWeights).ToDictionary();
        weights["classifier.1.weight"] = new WeightTensor("classifier.1.weight", [1000, 512, 1, 1], new float[512_000]);
        weights["classifier.1.bias"] = new WeightTensor("classifier.1.bias", [1000], new float[1000]);
        using var extractor = SqueezeNetFeatureExtractor.FromWeights(weights);
        extractor.LayerNames.Should().HaveCount(13);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var weights = WeightFileReader.Read(SharedAssets.SafeTensorsWeights).ToDictionary();
        weights.Remove("features.7.expand3x3.bias");
        var act = () => SqueezeNetFeatureExtractor.FromWeights(weights);
        act.Should().Throw<WeightFormatException>().WithMessage("*features.7.expand3x3.bias*");
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_both_shapes()
    {
        var weights = WeightFileReader.Read(SharedAssets.SafeTensorsWeights).ToDictionary();
        weights["features.0.weight"] = new WeightTensor("features.0.weight", [64, 3, 5, 5], new float[64 * 3 * 25]);
        var act = () => SqueezeNetFeatureExtractor.FromWeights(weights);
        act.Should().Throw<WeightFormatException>().WithMessage("*features.0.weight*[64, 3, 5, 5]*[64, 3, 3, 3]*");
    }

    [Fact]
    public void Unexpected_feature_keys_are_refused()
    {
        var weights = WeightFileReader.Read(SharedAssets.SafeTensorsWeights).ToDictionary();
        weights["features.13.weight"] = new WeightTensor("features.13.weight", [1], [0f]);
        var act = () => SqueezeNetFeatureExtractor.FromWeights(weights);
        act.Should().Throw<WeightFormatException>().WithMessage("*features.13.weight*");
    }

    [Fact]
    public void Loads_on_the_cpu_by_default_and_a_missing_file_is_not_found()
    {
        using var extractor = SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights);
        extractor.Device.type.Should().Be(TorchSharp.DeviceType.CPU);
        var act = () => SqueezeNetFeatureExtractor.FromFile("/nonexistent/weights.safetensors");
        act.Should().Throw<System.IO.FileNotFoundException>();
    }
}
