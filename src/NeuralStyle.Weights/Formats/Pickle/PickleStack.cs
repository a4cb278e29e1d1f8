using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// The unpickler's stack and its marks. The items above a mark are read in place (<see cref="ItemsFrom"/>) and then
/// dropped (<see cref="Truncate"/>), so that an opcode that takes many items copies none of them.
/// </summary>
internal sealed class PickleStack
{
    private readonly List<object> _items = new();
    private readonly List<int> _marks = new();
    private readonly PickleInput _input;
    private readonly WeightReadContext _context;

    public PickleStack(PickleInput input, WeightReadContext context)
    {
        _input = input;
        _context = context;
    }

    public void Push(object value) => _items.Add(value);

    public object Pop(int at)
    {
        var value = Peek(at);
        _items.RemoveAt(_items.Count - 1);
        return value;
    }

    public object Peek(int at)
        => _items.Count > CurrentMarkBase() ? _items[^1] : throw _input.Fail(at, "the pickle stack is empty.");

    /// <summary>MARK: starts a group of items, nested at most <see cref="WeightReaderLimits.MaxPickleDepth"/> deep.</summary>
    public void PushMark(int at)
    {
        var limit = _context.Limits.MaxPickleDepth;
        if (_marks.Count >= limit)
        {
            throw _input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"marks are nested deeper than {limit} (limit MaxPickleDepth)."));
        }

        _marks.Add(_items.Count);
    }

    /// <summary>POP: removes the top item, or the innermost mark when no item lies above it.</summary>
    public void PopItemOrMark(int at)
    {
        if (_items.Count > CurrentMarkBase())
        {
            _items.RemoveAt(_items.Count - 1);
        }
        else
        {
            Truncate(PopMark(at));
        }
    }

    /// <summary>Removes the innermost mark and returns where its items start; the work is charged per item.</summary>
    public int PopMark(int at)
    {
        if (_marks.Count == 0)
        {
            throw _input.Fail(at, "an opcode needs a MARK but there is none.");
        }

        var start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        _context.ChargeOperations(_items.Count - start);
        return start;
    }

    /// <summary>Gets the items from <paramref name="start"/> to the top, valid until the stack next changes.</summary>
    public ReadOnlySpan<object> ItemsFrom(int start) => CollectionsMarshal.AsSpan(_items)[start..];

    /// <summary>Gets the item just below <paramref name="start"/> (the list or dict that APPENDS or SETITEMS fills).</summary>
    public object ItemBelow(int at, int start)
        => start > CurrentMarkBase() ? _items[start - 1] : throw _input.Fail(at, "the pickle stack is empty.");

    /// <summary>Drops the items from <paramref name="start"/> to the top.</summary>
    public void Truncate(int start) => _items.RemoveRange(start, _items.Count - start);

    private int CurrentMarkBase() => _marks.Count > 0 ? _marks[^1] : 0;
}
