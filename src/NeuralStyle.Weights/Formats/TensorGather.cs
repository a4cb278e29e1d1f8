using System;
using System.Collections.Generic;

namespace NeuralStyle.Weights;

/// <summary>
/// Copies a (possibly strided) view of a storage into a new row-major float32 array, honouring the read's cancellation
/// token every <see cref="WeightReadContext.CopyChunkElements"/> elements.
/// </summary>
internal static class TensorGather
{
    /// <summary>
    /// Gathers the elements of a view. The caller has checked that every element the view addresses lies in
    /// <paramref name="storage"/> (which starts at element 0 of the storage) and that the element count fits an array.
    /// </summary>
    public static float[] Gather(ReadOnlySpan<byte> storage, TensorDType dtype, bool bigEndian, long offset, IReadOnlyList<long> shape, IReadOnlyList<long> strides, WeightReadContext context)
    {
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        var result = new float[count];
        if (count == 0)
        {
            return result;
        }

        var size = TensorDTypes.ElementSize(dtype);
        if (IsContiguous(shape, strides))
        {
            Convert(storage.Slice(checked((int)(offset * size)), checked((int)(count * size))), result, dtype, bigEndian, context);
            return result;
        }

        var rank = shape.Count;
        var index = new long[rank];
        var position = offset;
        long i = 0;
        while (i < count)
        {
            var end = Math.Min(count, i + WeightReadContext.CopyChunkElements);
            var chunk = (int)(end - i);
            for (; i < end; i++)
            {
                result[i] = TensorDTypes.ReadOne(storage.Slice((int)(position * size), size), dtype, bigEndian);

                // Advance the multi-index like an odometer, the last dimension fastest.
                for (var d = rank - 1; d >= 0; d--)
                {
                    position += strides[d];
                    if (++index[d] < shape[d])
                    {
                        break;
                    }

                    position -= strides[d] * shape[d];
                    index[d] = 0;
                }
            }

            context.CountCopied(chunk);
        }

        return result;
    }

    /// <summary>
    /// Converts consecutive elements into <paramref name="destination"/> (<paramref name="source"/> holds exactly as
    /// many), a chunk of <see cref="WeightReadContext.CopyChunkElements"/> at a time.
    /// </summary>
    public static void Convert(ReadOnlySpan<byte> source, float[] destination, TensorDType dtype, bool bigEndian, WeightReadContext context)
    {
        var size = TensorDTypes.ElementSize(dtype);
        for (var start = 0; start < destination.Length; start += WeightReadContext.CopyChunkElements)
        {
            var chunk = Math.Min(WeightReadContext.CopyChunkElements, destination.Length - start);
            TensorDTypes.Convert(source.Slice(start * size, chunk * size), destination.AsSpan(start, chunk), dtype, bigEndian);
            context.CountCopied(chunk);
        }
    }

    /// <summary>Whether the strides are those of a row-major tensor of the shape (dimensions of size 1 may have any stride).</summary>
    public static bool IsContiguous(IReadOnlyList<long> shape, IReadOnlyList<long> strides)
    {
        long expected = 1;
        for (var d = shape.Count - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected)
            {
                return false;
            }

            expected *= shape[d];
        }

        return true;
    }
}
