using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NeuralStyle.Weights;

/// <summary>The element types that the readers convert to float32.</summary>
internal enum TensorDType
{
    Float32,
    Float16,
    BFloat16,
    Float64,
}

/// <summary>Element sizes and conversions of <see cref="TensorDType"/> values to float32.</summary>
internal static class TensorDTypes
{
    public static int ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => 4,
        TensorDType.Float16 => 2,
        TensorDType.BFloat16 => 2,
        TensorDType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Reads one element from the start of <paramref name="source"/>.</summary>
    public static float ReadOne(ReadOnlySpan<byte> source, TensorDType dtype, bool bigEndian) => dtype switch
    {
        TensorDType.Float32 => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(source) : BinaryPrimitives.ReadSingleLittleEndian(source),
        TensorDType.Float16 => (float)(bigEndian ? BinaryPrimitives.ReadHalfBigEndian(source) : BinaryPrimitives.ReadHalfLittleEndian(source)),
        TensorDType.BFloat16 => BFloat16ToSingle(bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source)),
        TensorDType.Float64 => (float)(bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(source) : BinaryPrimitives.ReadDoubleLittleEndian(source)),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Converts <c>destination.Length</c> consecutive elements; <paramref name="source"/> holds exactly that many.</summary>
    public static void Convert(ReadOnlySpan<byte> source, Span<float> destination, TensorDType dtype, bool bigEndian)
    {
        if (dtype == TensorDType.Float32 && bigEndian == !BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            return;
        }

        var size = ElementSize(dtype);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = ReadOne(source.Slice(i * size, size), dtype, bigEndian);
        }
    }

    /// <summary>bfloat16 is the upper half of a float32.</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
