using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>A named float32 tensor read from a weight file and held in managed memory (row-major, C order).</summary>
public sealed class WeightTensor
{
    private readonly float[] _values;

    /// <summary>Initializes a new instance of the <see cref="WeightTensor"/> class.</summary>
    /// <param name="name">The key of the tensor in its file, for example <c>features.0.weight</c>.</param>
    /// <param name="shape">The dimensions of the tensor.</param>
    /// <param name="values">The elements in row-major order; the array is owned by the new instance.</param>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public WeightTensor(string name, IReadOnlyList<long> shape, float[] values)
    {
        Name = Guard.NotNull(name);
        Guard.NotNull(shape);
        _values = Guard.NotNull(values);
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"Tensor '{name}' has a negative dimension.", nameof(shape));
        }

        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != values.LongLength)
        {
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] ({count} elements) but {values.Length} values.", nameof(values));
        }

        Shape = shape.ToArray();
    }

    /// <summary>Gets the key of the tensor in its file.</summary>
    /// <value>For example <c>features.3.squeeze.weight</c>.</value>
    public string Name { get; }

    /// <summary>Gets the dimensions of the tensor.</summary>
    /// <value>For a convolution kernel: output channels, input channels, height, width (OIHW).</value>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Gets the elements in row-major order.</summary>
    /// <value>A read-only view of the values.</value>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Gets the underlying array without copying, for handing to a tensor constructor.</summary>
    internal float[] ValuesArray => _values;
}
