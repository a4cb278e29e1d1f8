using System;
using System.Buffers.Binary;
using System.Linq;
using System.Security.Cryptography;
using FluentAssertions;
using NeuralStyle.Optimization;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// The checkpoint's byte layout, element by element: a 60-byte header, then the pixels, Adam's first and second moments as
/// little-endian floats in the tensors' (contiguous, NCHW) element order, then a SHA-256. The checkpoint copies its values
/// in blocks; these tests hold those copies to the layout read and written one float at a time.
/// </summary>
public sealed class CheckpointLayoutTests
{
    private const int HeaderBytes = 60;
    private static readonly long[] Shape = [1, 3, 2, 5];
    private static readonly int Count = (int)Shape.Aggregate(1L, (a, b) => a * b);

    [Fact]
    public void A_captured_checkpoint_stores_each_value_at_its_place()
    {
        using var scope = NewDisposeScope();
        var (pixels, firstMoment, secondMoment) = (Values(0), Values(100), Values(200));
        // Laid out channels last, as the optimiser's pixels are: the checkpoint still stores them in NCHW order.
        using var parameter = new Parameter(tensor(pixels).reshape(Shape).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
        using var adam = new PixelAdam(parameter, 0.5) { Steps = 3 };
        using (no_grad())
        {
            adam.FirstMoment.copy_(tensor(firstMoment).reshape(Shape));
            adam.SecondMoment.copy_(tensor(secondMoment).reshape(Shape));
        }

        var bytes = OptimizerCheckpoint.Capture(3, 0.5, parameter, adam).ToBytes();

        bytes.Should().Equal(Layout(pixels, firstMoment, secondMoment));
    }

    [Fact]
    public void A_checkpoint_read_from_bytes_restores_each_value_to_its_place()
    {
        var (pixels, firstMoment, secondMoment) = (Values(0), Values(100), Values(200));
        var bytes = Layout(pixels, firstMoment, secondMoment);
        var checkpoint = OptimizerCheckpoint.FromBytes(bytes, 100);
        checkpoint.ToBytes().Should().Equal(bytes);

        using var scope = NewDisposeScope();
        using var parameter = new Parameter(zeros(Shape));
        using var adam = new PixelAdam(parameter, 0.5);
        checkpoint.Restore(parameter, adam);

        Floats(parameter).Should().Equal(pixels);
        Floats(adam.FirstMoment).Should().Equal(firstMoment);
        Floats(adam.SecondMoment).Should().Equal(secondMoment);
        adam.Steps.Should().Be(3);
    }

    /// <summary>Distinct values whose bytes differ in every position (so a shifted or swapped copy shows).</summary>
    private static float[] Values(int start) => [.. Enumerable.Range(start, Count).Select(i => (i * 1.0009765625f) + 0.25f)];

    private static float[] Floats(Tensor values)
    {
        using var contiguous = values.detach().contiguous();
        return contiguous.data<float>().ToArray();
    }

    /// <summary>The checkpoint of iteration 3, rate 0.5, Adam step 3, written one field and one float at a time.</summary>
    private static byte[] Layout(params float[][] arrays)
    {
        var bytes = new byte[HeaderBytes + (3 * Count * sizeof(float)) + 32];
        var span = bytes.AsSpan();
        "NSOC"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], 3);
        BinaryPrimitives.WriteDoubleLittleEndian(span[12..], 0.5);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], 3);
        for (var d = 0; d < 4; d++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(28 + (8 * d))..], Shape[d]);
        }

        var offset = HeaderBytes;
        foreach (var value in arrays.SelectMany(a => a))
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[offset..], value);
            offset += sizeof(float);
        }

        SHA256.HashData(span[..offset], span[offset..]);
        return bytes;
    }
}
