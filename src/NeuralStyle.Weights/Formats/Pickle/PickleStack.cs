using System;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// The unpickler's stack and its marks, in arrays of their own so that pushing and popping allocate nothing but the
/// occasional doubling. The items above a mark are read in place (<see cref="ItemsFrom"/>) and then dropped
/// (<see cref="Truncate"/>), so that an opcode that takes many items copies none of them.
/// </summary>
internal sealed class PickleStack
{
    private readonly PickleInput _input;
    private readonly WeightReadContext _context;
    private readonly int[] _marks;
    private object[] _items = new object[64];
    private int _count;
    private int _markCount;

    /// <summary>Where the items of the innermost mark start (0 when there is no mark): nothing below it may be popped.</summary>
    private int _markBase;

    public PickleStack(PickleInput input, WeightReadContext context)
    {
        _input = input;
        _context = context;
        _marks = new int[context.Limits.MaxPickleDepth];
    }

    /// <summary>Gets the number of items on the stack.</summary>
    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(object value)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[_count++] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public object Pop(int at)
    {
        if (_count <= _markBase)
        {
            throw Empty(at);
        }

        var value = _items[--_count];
        _items[_count] = null!;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public object Peek(int at) => _count > _markBase ? _items[_count - 1] : throw Empty(at);

    /// <summary>Checks that <paramref name="count"/> items lie above the innermost mark; returns where they start.</summary>
    public int TopStart(int at, int count) => _count - count >= _markBase ? _count - count : throw Empty(at);

    /// <summary>MARK: starts a group of items, nested at most <see cref="WeightReaderLimits.MaxPickleDepth"/> deep.</summary>
    public void PushMark(int at)
    {
        if (_markCount == _marks.Length)
        {
            throw _input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"marks are nested deeper than {_marks.Length} (limit MaxPickleDepth)."));
        }

        _marks[_markCount++] = _count;
        _markBase = _count;
    }

    /// <summary>POP: removes the top item, or the innermost mark when no item lies above it.</summary>
    public void PopItemOrMark(int at)
    {
        if (_count > _markBase)
        {
            _items[--_count] = null!;
        }
        else
        {
            Truncate(PopMark(at));
        }
    }

    /// <summary>Removes the innermost mark and returns where its items start; the work is charged per item.</summary>
    public int PopMark(int at)
    {
        if (_markCount == 0)
        {
            throw _input.Fail(at, "an opcode needs a MARK but there is none.");
        }

        var start = _marks[--_markCount];
        _markBase = _markCount > 0 ? _marks[_markCount - 1] : 0;
        _context.ChargeOperations(_count - start);
        return start;
    }

    /// <summary>Gets the items from <paramref name="start"/> to the top, valid until the stack next changes.</summary>
    public ReadOnlySpan<object> ItemsFrom(int start) => new(_items, start, _count - start);

    /// <summary>Gets the item just below <paramref name="start"/> (the list or dict that APPENDS or SETITEMS fills).</summary>
    public object ItemBelow(int at, int start) => start > _markBase ? _items[start - 1] : throw Empty(at);

    /// <summary>Drops the items from <paramref name="start"/> to the top.</summary>
    public void Truncate(int start)
    {
        Array.Clear(_items, start, _count - start);
        _count = start;
    }

    /// <summary>Doubles the stack; the slots it gains count as objects, so a flood of pushes is bounded like one of objects.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow()
    {
        _context.CountObjects(_items.Length);
        Array.Resize(ref _items, _items.Length * 2);
    }

    private WeightFormatException Empty(int at) => _input.Fail(at, "the pickle stack is empty.");
}
