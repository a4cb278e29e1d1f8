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

    /// <summary>The objects a pickle may build whatever the length of its file (see <see cref="WeightReaderLimits.MaxPickleObjectsPerKilobyte"/>).</summary>
    public const long PickleObjectAllowance = 4096;

    /// <summary>
    /// How many elements a tensor's copy converts between two looks at the cancellation token: well under a millisecond
    /// even strided (docs/security.md), so that a 16.8-million-element tensor stops within one chunk of a cancellation.
    /// </summary>
    internal const int CopyChunkElements = 1 << 16;

    private long _operations;
    private long _copiedElements;
    private long _objects;

    /// <summary>The operation count at which <see cref="ChargeOperations"/> next looks at the budget and the token.</summary>
    private long _nextCheck;
    private long _totalElements;
    private int _tensorCount;

    /// <summary>Gets the operations spent so far (the parse's work, for tests and measurements).</summary>
    public long Operations => _operations;

    /// <summary>Gets the elements copied into tensors so far (see <see cref="CountCopied"/>).</summary>
    public long CopiedElements => _copiedElements;

    /// <summary>Gets the objects the pickles have built so far (see <see cref="CountObjects"/>).</summary>
    public long Objects => _objects;

    /// <summary>Gets the most objects the pickles of the file may build, from its length.</summary>
    public long MaxObjects { get; }

    /// <param name="source">The file name or description used in error messages.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="fileBytes">The length of the whole file, which sets how many objects its pickles may build.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public WeightReadContext(string source, WeightReaderLimits limits, long fileBytes = 0, CancellationToken cancellationToken = default)
    {
        Source = source;
        Limits = limits;
        CancellationToken = cancellationToken;
        FileBytes = fileBytes;
        MaxObjects = PickleObjectAllowance + (Math.Min(Math.Max(fileBytes, 0), Array.MaxLength) / 1024 * limits.MaxPickleObjectsPerKilobyte);
        _nextCheck = Math.Min(CancellationStride, limits.MaxPickleOperations + 1);
    }

    /// <summary>Gets the length of the whole file, in bytes.</summary>
    public long FileBytes { get; }

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
    /// Counts objects a pickle builds, or references it makes room for; fails once there are more than
    /// <see cref="MaxObjects"/>, so that what a pickle builds stays in proportion to its file's length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountObjects(long count)
    {
        _objects += count;
        if (_objects > MaxObjects)
        {
            throw TooManyObjects();
        }
    }

    private WeightFormatException TooManyObjects()
        => Fail(string.Create(
            CultureInfo.InvariantCulture,
            $"the pickle builds more than {MaxObjects} objects, the most a file of {FileBytes} bytes may ({PickleObjectAllowance} and {Limits.MaxPickleObjectsPerKilobyte} per KiB; limit MaxPickleObjectsPerKilobyte)."));

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

    /// <summary>Counts elements copied into a tensor, then honours the token.</summary>
    public void CountCopied(int elements)
    {
        _copiedElements += elements;
        CancellationToken.ThrowIfCancellationRequested();
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
