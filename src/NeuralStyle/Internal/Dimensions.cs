using System;
using static TorchSharp.torch;

namespace NeuralStyle.Internal;

/// <summary>
/// Shape and stride comparisons for the checks a step makes on every call, one size at a time: TorchSharp's
/// <c>shape</c> and <c>stride()</c> copy every size into a new array through a native callback (about 2 µs each), where
/// <c>size(d)</c> and <c>stride(d)</c> read one (about 0.1 µs).
/// </summary>
internal static class Dimensions
{
    /// <summary>Whether <paramref name="tensor"/> has exactly the sizes <paramref name="sizes"/>.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="sizes">The sizes it should have, outermost first.</param>
    public static bool Are(Tensor tensor, ReadOnlySpan<long> sizes)
    {
        if (tensor.dim() != sizes.Length)
        {
            return false;
        }

        for (var d = 0; d < sizes.Length; d++)
        {
            if (tensor.size(d) != sizes[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    /// <param name="a">One tensor.</param>
    /// <param name="b">The other.</param>
    public static bool Equal(Tensor a, Tensor b) => Compare(a, b, strides: false);

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> lay their elements out alike (the same strides).</summary>
    /// <param name="a">One tensor.</param>
    /// <param name="b">The other.</param>
    public static bool SameStrides(Tensor a, Tensor b) => Compare(a, b, strides: true);

    private static bool Compare(Tensor a, Tensor b, bool strides)
    {
        var dimensions = a.dim();
        if (b.dim() != dimensions)
        {
            return false;
        }

        for (var d = 0; d < dimensions; d++)
        {
            if (strides ? a.stride(d) != b.stride(d) : a.size(d) != b.size(d))
            {
                return false;
            }
        }

        return true;
    }
}
