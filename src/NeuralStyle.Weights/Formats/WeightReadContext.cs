using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NeuralStyle.Weights;

/// <summary>The state shared by the readers of one file: its name, its limits and the budgets used so far.</summary>
internal sealed class WeightReadContext
{
    /// <summary>How many operations pass between two looks at the cancellation token (a few microseconds of parsing).</summary>
    internal const long CancellationStride = 4096;

    private long _operations;

    /// <summary>The operation count at which <see cref="ChargeOperations"/> next looks at the budget and the token.</summary>
    private long _nextCheck;
    private long _totalElements;
    private int _tensorCount;

    /// <summary>Gets the operations spent so far (the parse's work, for tests and measurements).</summary>
    public long Operations => _operations;

    public WeightReadContext(string source, WeightReaderLimits limits, CancellationToken cancellationToken = default)
    {
        Source = source;
        Limits = limits;
        CancellationToken = cancellationToken;
        _nextCheck = Math.Min(CancellationStride, limits.MaxPickleOperations + 1);
    }

    /// <summary>Gets the token that cancels the read; it is checked as the parse spends its operations.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the file name or description used in error messages.</summary>
    public string Source { get; }

    public WeightReaderLimits Limits { get; }

    /// <summary>Quotes a name taken from the file for a message, shortened so that a hostile name cannot bloat it.</summary>
    public static string Quote(string name) => name.Length <= 120 ? $"'{name}'" : $"'{name[..120]}…'";

    /// <summary>Creates the exception for a problem with the file; the message names the file.</summary>
    public WeightFormatException Fail(string problem, Exception? inner = null)
        => new($"Weight file '{Source}': {problem}", inner);

    /// <summary>Spends pickle work units; fails once the budget of the file is spent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ChargeOperations(long units)
    {
        _operations += units;
        if (_operations >= _nextCheck)
        {
            CheckBudgetAndCancellation();
        }
    }

    /// <summary>
    /// Runs every <see cref="CancellationStride"/> operations and when the budget may be spent: refuses a file beyond
    /// <see cref="WeightReaderLimits.MaxPickleOperations"/>, honours the token, and sets the next point to look again.
    /// </summary>
    private void CheckBudgetAndCancellation()
    {
        if (_operations > Limits.MaxPickleOperations)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"the pickle needs more than {Limits.MaxPickleOperations} operations (limit MaxPickleOperations)."));
        }

        CancellationToken.ThrowIfCancellationRequested();
        _nextCheck = Math.Min(_operations + CancellationStride, Limits.MaxPickleOperations + 1);
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
