using System.Collections.Generic;
using System.Globalization;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// The unpickler's memo, an array indexed by the memo number: nothing is hashed, so a file cannot choose numbers that
/// make storing or reading an entry slow. A pickler numbers its entries 0, 1, 2, … as it stores them, so every number
/// is below <see cref="WeightReaderLimits.MaxPickleMemoEntries"/>; larger ones are refused before anything is allocated.
/// </summary>
internal sealed class PickleMemo
{
    private readonly List<object?> _slots = new();
    private readonly PickleInput _input;
    private readonly WeightReadContext _context;
    private readonly int _limit;

    public PickleMemo(PickleInput input, WeightReadContext context)
    {
        _input = input;
        _context = context;
        _limit = context.Limits.MaxPickleMemoEntries;
    }

    /// <summary>Gets the number of distinct entries stored (the number MEMOIZE gives the next one).</summary>
    public int Count { get; private set; }

    public void Put(int at, uint index, object value)
    {
        if (index >= (uint)_limit)
        {
            throw _input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"memo entry {index} is beyond the {_limit} entries a pickle may store (limit MaxPickleMemoEntries)."));
        }

        if (_slots.Count <= index)
        {
            // The slots up to the number are allocated; each counts as an object.
            _context.CountObjects(index + 1 - _slots.Count);
            while (_slots.Count <= index)
            {
                _slots.Add(null);
            }
        }

        if (_slots[(int)index] is null)
        {
            Count++;
        }

        _slots[(int)index] = value;
    }

    public object Get(int at, uint index)
        => index < (uint)_slots.Count && _slots[(int)index] is { } value
            ? value
            : throw _input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"memo entry {index} is read before it is written."));
}
