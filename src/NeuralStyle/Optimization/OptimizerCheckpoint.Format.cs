using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace NeuralStyle.Optimization;

/// <summary>The byte format of a checkpoint: a header, the pixels and Adam's two moments as little-endian floats, and a SHA-256 of all that.</summary>
public sealed partial class OptimizerCheckpoint
{
    /// <summary>The bytes a checkpoint takes per element of the image (pixel × channel): the pixel and Adam's two moments, as 32-bit floats.</summary>
    public const int BytesPerElement = 3 * sizeof(float);

    private const int Version = 1;
    private const int HeaderBytes = 4 + sizeof(int) + sizeof(int) + sizeof(double) + sizeof(long) + (4 * sizeof(long));
    private const int HashBytes = 32;
    private static ReadOnlySpan<byte> Magic => "NSOC"u8;

    /// <summary>Gets the size of <see cref="ToBytes"/>' output for this checkpoint.</summary>
    /// <value>Header, <see cref="BytesPerElement"/> per element, and a 32-byte hash.</value>
    public long ByteCount => SizeFor(_pixels.LongLength);

    /// <summary>Gets the most bytes a checkpoint of at most <paramref name="maxPixels"/> pixels (images × height × width) takes.</summary>
    /// <param name="maxPixels">The bound on the pixels.</param>
    /// <returns>The size in bytes.</returns>
    public static long MaxByteCount(long maxPixels) => SizeFor(3 * Math.Max(0, maxPixels));

    /// <summary>Writes the checkpoint as bytes that <see cref="FromBytes"/> reads back exactly.</summary>
    /// <returns>The bytes: <see cref="ByteCount"/> of them.</returns>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteCount];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Iteration);
        BinaryPrimitives.WriteDoubleLittleEndian(span[12..], LearningRate);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], AdamStep);
        for (var d = 0; d < 4; d++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[(28 + (8 * d))..], _shape[d]);
        }

        var offset = HeaderBytes;
        foreach (var values in new[] { _pixels, _firstMoment, _secondMoment })
        {
            WriteFloats(values, span.Slice(offset, values.Length * sizeof(float)));
            offset += values.Length * sizeof(float);
        }

        SHA256.HashData(span[..offset], span[offset..]);
        return bytes;
    }

    /// <summary>Reads a checkpoint written by <see cref="ToBytes"/>, checking its structure, its hash and its bounds before allocating.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="maxPixels">The most pixels (images × height × width) the checkpoint may hold.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="CheckpointFormatException">The bytes are not a checkpoint of this format version, are truncated or corrupt, hold non-finite values, or exceed <paramref name="maxPixels"/>.</exception>
    public static OptimizerCheckpoint FromBytes(ReadOnlySpan<byte> bytes, long maxPixels)
    {
        Require(bytes.Length >= HeaderBytes + HashBytes && bytes[..4].SequenceEqual(Magic), "is not an optimiser checkpoint (no header)");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        Require(version == Version, $"has format version {version}; this library reads version {Version}");
        var iteration = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var rate = BinaryPrimitives.ReadDoubleLittleEndian(bytes[12..]);
        var step = BinaryPrimitives.ReadInt64LittleEndian(bytes[20..]);
        var shape = new long[4];
        for (var d = 0; d < 4; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(28 + (8 * d))..]);
        }

        Require(iteration >= 1 && step >= 0 && step <= iteration, $"has an inconsistent position (iteration {iteration}, Adam step {step})");
        Require(double.IsFinite(rate) && rate > 0, $"has an invalid learning rate ({rate})");
        Require(shape[1] == 3 && shape[0] >= 1 && shape[2] >= 1 && shape[3] >= 1, $"has an invalid image shape [{string.Join(",", shape)}]");
        Require(shape[2] <= maxPixels && shape[3] <= maxPixels && shape[0] <= maxPixels && shape[0] * shape[2] <= maxPixels && shape[0] * shape[2] * shape[3] <= maxPixels, $"holds more than {maxPixels} pixels");
        var count = shape[0] * 3 * shape[2] * shape[3];
        Require(bytes.Length == SizeFor(count), $"has {bytes.Length} bytes; its header announces {SizeFor(count)}");
        var body = bytes.Length - HashBytes;
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(bytes[..body], hash);
        Require(hash.SequenceEqual(bytes[body..]), "is corrupt (its hash does not match)");

        var arrays = new float[3][];
        var offset = HeaderBytes;
        for (var a = 0; a < 3; a++)
        {
            var values = new float[count];
            ReadFloats(bytes.Slice(offset, values.Length * sizeof(float)), values);
            offset += values.Length * sizeof(float);

            Require(Array.TrueForAll(values, float.IsFinite), "holds NaN or infinite values");
            Require(a < 2 || Array.TrueForAll(values, v => v >= 0), "holds a negative second moment");
            arrays[a] = values;
        }

        return new OptimizerCheckpoint(iteration, rate, step, shape, arrays[0], arrays[1], arrays[2]);
    }

    /// <summary>Writes <paramref name="values"/> as little-endian floats: one block copy on a little-endian machine.</summary>
    private static void WriteFloats(ReadOnlySpan<float> values, Span<byte> target)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(target);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target[(i * sizeof(float))..], values[i]);
        }
    }

    /// <summary>Reads little-endian floats into <paramref name="values"/>: one block copy on a little-endian machine.</summary>
    private static void ReadFloats(ReadOnlySpan<byte> source, Span<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * sizeof(float))..]);
        }
    }

    private static long SizeFor(long elements) => HeaderBytes + (elements * BytesPerElement) + HashBytes;

    private static void Require(bool ok, string problem)
    {
        if (!ok)
        {
            throw new CheckpointFormatException($"The data {problem}.");
        }
    }
}
