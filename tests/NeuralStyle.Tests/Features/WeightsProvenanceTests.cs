using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Tests.Weights;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Features;

/// <summary>Shape and key errors name the weights file; the cache of built extractors stays bounded.</summary>
public sealed class WeightsProvenanceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_missing_tensor_names_the_file()
    {
        var path = _folder.File("partial.safetensors");
        var kept = WeightFileReader.Read(SharedAssets.SafeTensorsWeights).Where(kv => kv.Key != "features.12.expand3x3.bias");
        File.WriteAllBytes(path, SafeTensorsFile.Build(kept.Select(kv => (kv.Key, "F32", kv.Value.Shape.ToArray(), Bytes.Float32(kv.Value.Values.ToArray())))));

        FluentActions.Invoking(() => SqueezeNetFeatureExtractor.FromFile(path)).Should().Throw<WeightFormatException>()
            .WithMessage($"The weights file '{path}' lacks the tensor 'features.12.expand3x3.bias'*");
        FluentActions.Invoking(() => SqueezeNetFeatureExtractor.FromWeights(WeightCache.Get(path))).Should().Throw<WeightFormatException>()
            .WithMessage($"*'{Path.GetFullPath(path)}' lacks*");
    }

    [Fact]
    public void A_wrong_shape_names_the_file()
    {
        var path = _folder.File("wrong.safetensors");
        var tensors = WeightFileReader.Read(SharedAssets.SafeTensorsWeights)
            .Select(kv => kv.Key == "features.0.bias" ? (kv.Key, "F32", new long[] { 32, 2 }, Bytes.Float32(kv.Value.Values.ToArray()))
                : (kv.Key, "F32", kv.Value.Shape.ToArray(), Bytes.Float32(kv.Value.Values.ToArray())));
        File.WriteAllBytes(path, SafeTensorsFile.Build(tensors));

        FluentActions.Invoking(() => SqueezeNetFeatureExtractor.FromFile(path)).Should().Throw<WeightFormatException>()
            .WithMessage($"Tensor 'features.0.bias' in the weights file '{path}' has shape [32, 2]*");
    }

    [Fact]
    public void Built_extractors_are_bounded()
    {
        for (var i = 0; i < ExtractorCache.MaxEntries + 2; i++)
        {
            // Each read is a new set of tensors, as a changed file is.
            ExtractorCache.Get(WeightFileReader.Read(SharedAssets.SafeTensorsWeights), TorchSharp.torch.CPU).Should().NotBeNull();
            ExtractorCache.Count.Should().BeLessThanOrEqualTo(ExtractorCache.MaxEntries);
        }
    }
}
