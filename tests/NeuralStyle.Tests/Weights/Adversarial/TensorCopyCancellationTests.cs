using System;
using System.Linq;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// After parsing, each tensor's elements are copied (gathered through its strides, or converted from its data type) a
/// chunk of <see cref="WeightReadContext.CopyChunkElements"/> at a time, and the cancellation token is honoured after
/// every chunk: a cancelled read copies at most one chunk more, whatever the tensor's size. Counted, never timed.
/// </summary>
public sealed class TensorCopyCancellationTests
{
    private const int Side = 1024;

    [Theory]
    [InlineData("legacy")]
    [InlineData("zip")]
    public void A_cancelled_read_stops_gathering_a_strided_tensor_within_one_chunk(string format)
    {
        // A transposed 1024 × 1024 float32 view (strides [1, 1024]): element (i, j) is storage element i + 1024 j.
        var checkpoint = TransposedCheckpoint();
        var file = format == "zip" ? checkpoint.ToZip() : checkpoint.ToLegacy();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var context = new WeightReadContext("strided.pth", WeightReaderLimits.Default, file.Length, cts.Token);

        var read = () => format == "zip" ? PyTorchZipReader.Read(file, context) : PyTorchLegacyReader.Read(file, context);

        read.Should().Throw<OperationCanceledException>("a cancelled read is a cancellation, never a malformed file");
        context.CopiedElements.Should().BeLessThanOrEqualTo(WeightReadContext.CopyChunkElements, "the token is looked at after every chunk");
        if (format == "legacy")
        {
            // This short pickle never reaches the parser's first look at the token: the gather is where it is seen.
            context.CopiedElements.Should().Be(WeightReadContext.CopyChunkElements, "the copy stopped after its first chunk, of 16");
        }
    }

    [Fact]
    public void An_uncancelled_strided_gather_copies_every_element_in_chunks()
    {
        var context = new WeightReadContext("strided.pth", WeightReaderLimits.Default);

        var tensor = PyTorchZipReader.Read(TransposedCheckpoint().ToZip(), context)["t"];

        context.CopiedElements.Should().Be(Side * Side);
        tensor.Shape.Should().Equal(Side, Side);
        var values = tensor.Values.ToArray();
        values[1].Should().Be(Side, "element (0, 1) is storage element 1024");
        values[Side].Should().Be(1, "element (1, 0) is storage element 1");
        values[^1].Should().Be((Side * Side) - 1);
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("F32")]
    public void A_cancelled_read_stops_converting_a_large_safetensors_tensor_within_one_chunk(string dtype)
    {
        var values = Bytes.Range(Side * Side);
        var file = SafeTensorsFile.Build([("features.0.weight", dtype, [Side, Side], dtype == "F16" ? Bytes.Float16(values) : Bytes.Float32(values))]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var context = new WeightReadContext("big.safetensors", WeightReaderLimits.Default, file.Length, cts.Token);

        FluentActions.Invoking(() => SafeTensorsReader.Read(file, context)).Should().Throw<OperationCanceledException>();

        context.CopiedElements.Should().Be(WeightReadContext.CopyChunkElements);
    }

    [Fact]
    public void A_chunk_is_a_small_fraction_of_the_largest_tensor_the_limits_allow()
    {
        // 16.8 M elements at most: 256 chunks, so a cancellation waits for 1/256 of the longest copy at most.
        (WeightReaderLimits.Default.MaxTensorElements / WeightReadContext.CopyChunkElements).Should().BeGreaterThanOrEqualTo(256);
    }

    private static TorchCheckpoint TransposedCheckpoint()
        => new TorchCheckpoint()
            .Add(new TorchStorageSpec("s", "FloatStorage", Bytes.Float32(Bytes.Range(Side * Side))))
            .Add(new TorchTensorSpec("t", "s", 0, [Side, Side], [1, Side]));
}
