using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>Reads the shared SqueezeNet 1.1 weights in all three formats (skips without the shared folder).</summary>
public sealed class SharedWeightFilesTests
{
    /// <summary>The 50 tensors of torchvision's squeezenet1_1 features, in state-dict order.</summary>
    internal static IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors()
    {
        var list = new List<(string, long[])> { ("features.0.weight", [64, 3, 3, 3]), ("features.0.bias", [64]) };
        (int Index, int In, int Squeeze, int Expand)[] fires =
        [
            (3, 64, 16, 64), (4, 128, 16, 64), (6, 128, 32, 128), (7, 256, 32, 128),
            (9, 256, 48, 192), (10, 384, 48, 192), (11, 384, 64, 256), (12, 512, 64, 256),
        ];
        foreach (var (i, cin, s, e) in fires)
        {
            list.Add(($"features.{i}.squeeze.weight", [s, cin, 1, 1]));
            list.Add(($"features.{i}.squeeze.bias", [s]));
            list.Add(($"features.{i}.expand1x1.weight", [e, s, 1, 1]));
            list.Add(($"features.{i}.expand1x1.bias", [e]));
            list.Add(($"features.{i}.expand3x3.weight", [e, s, 3, 3]));
            list.Add(($"features.{i}.expand3x3.bias", [e]));
        }

        return list;
    }

    public static TheoryData<string> Formats => new("safetensors", "zip", "legacy");

    [Theory]
    [MemberData(nameof(Formats))]
    public void Shared_file_holds_the_50_squeezenet_feature_tensors(string format)
    {
        var tensors = WeightFileReader.Read(PathOf(format));

        var expected = ExpectedTensors();
        tensors.Keys.Should().BeEquivalentTo(expected.Select(e => e.Name));
        foreach (var (name, shape) in expected)
        {
            tensors[name].Name.Should().Be(name);
            tensors[name].Shape.Should().Equal(shape, because: name);
        }

        tensors.Values.Sum(t => t.Values.Length).Should().Be(722_496);
        tensors.Values.SelectMany(t => t.Values.ToArray()).Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Shared_files_have_bit_identical_values_in_all_formats()
    {
        var safetensors = WeightFileReader.Read(SharedAssets.SafeTensorsWeights);
        var zip = WeightFileReader.Read(SharedAssets.ZipPthWeights);
        var legacy = WeightFileReader.Read(SharedAssets.LegacyPthWeights);

        foreach (var (name, _) in ExpectedTensors())
        {
            var reference = MemoryMarshal.AsBytes(safetensors[name].Values).ToArray();
            MemoryMarshal.AsBytes(zip[name].Values).ToArray().Should().Equal(reference, because: $"{name} in the zip file");
            MemoryMarshal.AsBytes(legacy[name].Values).ToArray().Should().Equal(reference, because: $"{name} in the legacy file");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Shared_file_reads_the_same_from_a_stream(string format)
    {
        var path = PathOf(format);
        using var stream = new NonSeekableStream(File.ReadAllBytes(path));

        var fromStream = WeightFileReader.Read(stream, "shared " + format);

        var fromPath = WeightFileReader.Read(path);
        fromStream.Keys.Should().Equal(fromPath.Keys);
        fromStream["features.12.expand3x3.bias"].Values.ToArray().Should().Equal(fromPath["features.12.expand3x3.bias"].Values.ToArray());
    }

    [Theory]
    [InlineData("safetensors", WeightFileFormat.SafeTensors)]
    [InlineData("zip", WeightFileFormat.PyTorchZip)]
    [InlineData("legacy", WeightFileFormat.PyTorchLegacy)]
    public void Format_is_detected_from_content_whatever_the_extension(string format, WeightFileFormat expected)
    {
        var source = PathOf(format);
        WeightFileReader.DetectFormat(source).Should().Be(expected);

        var dir = Directory.CreateTempSubdirectory("neuralstyle-detect-");
        try
        {
            foreach (var name in new[] { "weights.bin", "weights.safetensors", "weights.pth", "weights" })
            {
                var copy = Path.Combine(dir.FullName, name);
                File.Copy(source, copy, overwrite: true);
                WeightFileReader.DetectFormat(copy).Should().Be(expected, because: name);
                WeightFileReader.Read(copy).Should().HaveCount(50, because: name);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static string PathOf(string format) => format switch
    {
        "safetensors" => SharedAssets.SafeTensorsWeights,
        "zip" => SharedAssets.ZipPthWeights,
        _ => SharedAssets.LegacyPthWeights,
    };

    /// <summary>A read-only stream that cannot seek, like a network download.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
