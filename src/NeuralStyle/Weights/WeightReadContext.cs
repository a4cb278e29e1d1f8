using System;
using System.Globalization;

namespace NeuralStyle.Weights;

/// <summary>The state shared by the readers of one file: its name, its limits and the budgets used so far.</summary>
internal sealed class WeightReadContext
{
    private long _operations;
    private long _totalElements;
    private int _tensorCount;

    public WeightReadContext(string source, WeightReaderLimits limits)
    {
        Source = source;
        Limits = limits;
    }

    /// <summary>Gets the file name or description used in error messages.</summary>
    public string Source { get; }

    public WeightReaderLimits Limits { get; }

    /// <summary>Quotes a name taken from the file for a message, shortened so that a hostile name cannot bloat it.</summary>
    public static string Quote(string name) => name.Length <= 120 ? $"'{name}'" : $"'{name[..120]}…'";

    /// <summary>Creates the exception for a problem with the file; the message names the file.</summary>
    public WeightFormatException Fail(string problem, Exception? inner = null)
        => new($"Weight file '{Source}': {problem}", inner);

    /// <summary>Spends pickle work units; fails once the budget of the file is spent.</summary>
    public void ChargeOperations(long units)
    {
        _operations += units;
        if (_operations > Limits.MaxPickleOperations)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"the pickle needs more than {Limits.MaxPickleOperations} operations (limit MaxPickleOperations)."));
        }
    }

    /// <summary>Counts one more tensor of <paramref name="elements"/> elements against the tensor limits.</summary>
    public void CountTensor(long elements)
    {
        if (++_tensorCount > Limits.MaxTensorCount)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"more than {Limits.MaxTensorCount} tensors (limit MaxTensorCount)."));
        }

        if (elements > Limits.MaxTensorElements)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"a tensor has {elements} elements, more than {Limits.MaxTensorElements} (limit MaxTensorElements)."));
        }

        _totalElements += elements;
        if (_totalElements > Limits.MaxTotalElements)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"the tensors have more than {Limits.MaxTotalElements} elements together (limit MaxTotalElements)."));
        }
    }
}
