using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// A restricted unpickler for PyTorch state dicts. It implements the opcodes of protocols 2 to 5 that state dicts use,
/// resolves globals only against <see cref="PickleGlobal"/>'s allow-list (each a fixed C# handler), and bounds depth,
/// memo size, lengths and total work. Nothing from the file is ever executed or instantiated by name.
/// </summary>
internal sealed class SafeUnpickler
{
    /// <summary>Longer integers than this (LONG1/LONG4) are refused; a state dict's largest is the 10-byte magic number.</summary>
    private const int MaxLongBytes = 256;

    /// <summary>The longest GLOBAL module or name line.</summary>
    private const int MaxLineBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly int _end;
    private readonly WeightReadContext _context;
    private readonly Func<object, object>? _persistentLoad;
    private readonly List<object> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<uint, object> _memo = new(PickleKeyComparer.Instance);
    private int _position;

    /// <summary>Prepares to read one pickle from <paramref name="data"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="start">Where the pickle starts.</param>
    /// <param name="end">Where the readable bytes end (the pickle may end earlier, at its STOP).</param>
    /// <param name="context">The file's context: name, limits and budgets.</param>
    /// <param name="persistentLoad">Resolves persistent ids, or null where none are expected.</param>
    public SafeUnpickler(byte[] data, int start, int end, WeightReadContext context, Func<object, object>? persistentLoad)
    {
        _data = data;
        _position = start;
        _end = end;
        _context = context;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Gets the position after the STOP opcode once <see cref="Load"/> has returned.</summary>
    public int Position => _position;

    /// <summary>Reads opcodes up to STOP and returns the object on top of the stack.</summary>
    public object Load()
    {
        var limits = _context.Limits;
        while (true)
        {
            if (_position >= _end)
            {
                throw Fail(_position, "the pickle ends without a STOP opcode.");
            }

            var at = _position;
            var op = _data[_position++];
            _context.ChargeOperations(1);
            switch (op)
            {
                case (byte)'.': // STOP
                    return Pop(at);

                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol is < 2 or > 5)
                    {
                        throw Fail(at, $"unsupported pickle protocol {protocol}.");
                    }

                    break;

                case 0x95: // FRAME: a length hint; frames need no special handling when all bytes are in memory.
                    if (ReadUInt64() > (ulong)(_end - _position))
                    {
                        throw Fail(at, "a FRAME is longer than the rest of the pickle.");
                    }

                    break;

                case (byte)'(': // MARK
                    if (_marks.Count >= limits.MaxPickleDepth)
                    {
                        throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"marks are nested deeper than {limits.MaxPickleDepth} (limit MaxPickleDepth)."));
                    }

                    _marks.Add(_stack.Count);
                    break;

                case (byte)'0': // POP: the top item, or the mark when the items since the mark are used up
                    if (_stack.Count > CurrentMarkBase())
                    {
                        _stack.RemoveAt(_stack.Count - 1);
                    }
                    else
                    {
                        PopMark(at);
                    }

                    break;

                case (byte)'1': // POP_MARK
                    PopMark(at);
                    break;

                case (byte)'2': // DUP
                    Push(Peek(at));
                    break;

                case (byte)'N': // NONE
                    Push(PickleNone.Instance);
                    break;

                case 0x88: // NEWTRUE
                    Push(true);
                    break;

                case 0x89: // NEWFALSE
                    Push(false);
                    break;

                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)));
                    break;

                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;

                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2)));
                    break;

                case 0x8a: // LONG1
                    Push(ReadLong(at, ReadByte()));
                    break;

                case 0x8b: // LONG4
                    Push(ReadLong(at, BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4))));
                    break;

                case (byte)'G': // BINFLOAT (big-endian)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8)));
                    break;

                case (byte)'X': // BINUNICODE
                    Push(ReadUtf8(at, BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))));
                    break;

                case 0x8c: // SHORT_BINUNICODE
                    Push(ReadUtf8(at, ReadByte()));
                    break;

                case 0x8d: // BINUNICODE8
                    Push(ReadUtf8(at, BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8))));
                    break;

                case (byte)'T': // BINSTRING: a Python 2 str, decoded as UTF-8 like torch.load does
                    Push(ReadUtf8(at, SignedLength(at, BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4)))));
                    break;

                case (byte)'U': // SHORT_BINSTRING
                    Push(ReadUtf8(at, ReadByte()));
                    break;

                case (byte)'B': // BINBYTES
                    Push(ReadBytes(at, BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))));
                    break;

                case (byte)'C': // SHORT_BINBYTES
                    Push(ReadBytes(at, ReadByte()));
                    break;

                case 0x8e: // BINBYTES8
                    Push(ReadBytes(at, BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8))));
                    break;

                case (byte)')': // EMPTY_TUPLE
                    Push(PickleTuple.Empty);
                    break;

                case (byte)'t': // TUPLE
                    Push(NewTuple(at, PopMark(at).ToArray()));
                    break;

                case 0x85: // TUPLE1
                case 0x86: // TUPLE2
                case 0x87: // TUPLE3
                    var items = new object[op - 0x84];
                    for (var i = items.Length - 1; i >= 0; i--)
                    {
                        items[i] = Pop(at);
                    }

                    Push(NewTuple(at, items));
                    break;

                case (byte)']': // EMPTY_LIST
                    Push(new PickleList());
                    break;

                case (byte)'l': // LIST
                    var list = new PickleList();
                    AppendAll(at, list, PopMark(at));
                    Push(list);
                    break;

                case (byte)'a': // APPEND
                    var appended = Pop(at);
                    AppendAll(at, PeekList(at), new[] { appended });
                    break;

                case (byte)'e': // APPENDS
                    var appendedItems = PopMark(at);
                    AppendAll(at, PeekList(at), appendedItems);
                    break;

                case (byte)'}': // EMPTY_DICT
                    Push(new PickleDict());
                    break;

                case (byte)'d': // DICT
                    var dict = new PickleDict();
                    SetAll(at, dict, PopMark(at));
                    Push(dict);
                    break;

                case (byte)'s': // SETITEM
                    var value = Pop(at);
                    var key = Pop(at);
                    SetAll(at, PeekDict(at), new[] { key, value });
                    break;

                case (byte)'u': // SETITEMS
                    var pairs = PopMark(at);
                    SetAll(at, PeekDict(at), pairs);
                    break;

                case (byte)'c': // GLOBAL
                    var module = ReadLine(at);
                    Push(Resolve(at, module, ReadLine(at)));
                    break;

                case 0x93: // STACK_GLOBAL
                    var name = Pop(at);
                    var moduleName = Pop(at);
                    if (moduleName is not string m || name is not string n)
                    {
                        throw Fail(at, "STACK_GLOBAL is given a module or name that is not a string.");
                    }

                    Push(Resolve(at, m, n));
                    break;

                case (byte)'i': // INST names a class on two lines: check it, then refuse the opcode
                    var instModule = ReadLine(at);
                    Resolve(at, instModule, ReadLine(at));
                    throw Fail(at, "the INST opcode is not supported.");

                case (byte)'R': // REDUCE
                    var args = Pop(at);
                    var callable = Pop(at);
                    Push(TorchCalls.Call(_context, AsGlobal(at, callable, "REDUCE"), AsTuple(at, args, "REDUCE")));
                    break;

                case 0x81: // NEWOBJ
                    var newArgs = Pop(at);
                    var type = Pop(at);
                    Push(TorchCalls.New(_context, AsGlobal(at, type, "NEWOBJ"), AsTuple(at, newArgs, "NEWOBJ")));
                    break;

                case (byte)'b': // BUILD: sets the state of a dict (OrderedDict's _metadata) or a tensor, which is not needed
                    var state = Pop(at);
                    var target = Peek(at);
                    if (target is not (PickleDict or TorchTensorRef))
                    {
                        throw Fail(at, $"BUILD is applied to a {PickleText.TypeName(target)}, which has no state to set.");
                    }

                    CheckDepth(at, PickleContainer.DepthOf(state) + 1);
                    break;

                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(at, Pop(at)));
                    break;

                case (byte)'P': // PERSID: a text id, which torch never writes
                    Push(PersistentLoad(at, ReadLine(at)));
                    break;

                case (byte)'q': // BINPUT
                    Put(at, ReadByte());
                    break;

                case (byte)'r': // LONG_BINPUT
                    Put(at, BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4)));
                    break;

                case 0x94: // MEMOIZE
                    Put(at, (uint)_memo.Count);
                    break;

                case (byte)'h': // BINGET
                    Push(Get(at, ReadByte()));
                    break;

                case (byte)'j': // LONG_BINGET
                    Push(Get(at, BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4))));
                    break;

                default:
                    throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"unsupported pickle opcode 0x{op:x2}."));
            }
        }
    }

    private WeightFormatException Fail(int at, string problem, Exception? inner = null)
        => _context.Fail(string.Create(CultureInfo.InvariantCulture, $"pickle byte {at}: {problem}"), inner);

    private byte ReadByte()
    {
        if (_position >= _end)
        {
            throw Fail(_position, "the pickle is truncated.");
        }

        return _data[_position++];
    }

    private ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > _end - _position)
        {
            throw Fail(_position, "the pickle is truncated.");
        }

        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    /// <summary>Checks a declared length against the bytes that remain before using it.</summary>
    private int CheckedLength(int at, ulong length)
    {
        if (length > (ulong)(_end - _position))
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"a string or bytes object declares {length} bytes, but only {_end - _position} remain."));
        }

        return (int)length;
    }

    private ulong SignedLength(int at, int length)
        => length >= 0 ? (ulong)length : throw Fail(at, "a string has a negative length.");

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    private string ReadUtf8(int at, ulong length)
    {
        var span = ReadSpan(CheckedLength(at, length));
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException ex)
        {
            throw Fail(at, "a string is not valid UTF-8.", ex);
        }
    }

    private byte[] ReadBytes(int at, ulong length) => ReadSpan(CheckedLength(at, length)).ToArray();

    private object ReadLong(int at, int length)
    {
        if (length < 0 || length > MaxLongBytes)
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"an integer of {length} bytes is not supported."));
        }

        var bytes = ReadSpan(CheckedLength(at, (ulong)length));
        if (length <= 8)
        {
            // Little-endian two's complement: sign-extend from the top byte.
            long value = length > 0 && (bytes[length - 1] & 0x80) != 0 ? -1 : 0;
            for (var i = length - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[i];
            }

            return value;
        }

        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    /// <summary>Reads a text line (GLOBAL's module and name) of printable ASCII.</summary>
    private string ReadLine(int at)
    {
        var limit = Math.Min(_end, _position + MaxLineBytes);
        var start = _position;
        for (var i = start; i < limit; i++)
        {
            var b = _data[i];
            if (b == (byte)'\n')
            {
                _position = i + 1;
                return Encoding.ASCII.GetString(_data, start, i - start);
            }

            if (b is < 0x20 or >= 0x7f)
            {
                throw Fail(at, "a name line holds a byte that is not printable ASCII.");
            }
        }

        throw Fail(at, "a name line has no end.");
    }

    private PickleGlobal Resolve(int at, string module, string name)
        => PickleGlobal.TryResolve(module, name, out var global)
            ? global!
            : throw Fail(at, $"global '{Shorten(module)}.{Shorten(name)}' is not allowed in a weight file (only the globals of a PyTorch state dict are).");

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private object PersistentLoad(int at, object id)
        => _persistentLoad is null
            ? throw Fail(at, "a persistent id appears where none is expected.")
            : _persistentLoad(id);

    private void Push(object value) => _stack.Add(value);

    private int CurrentMarkBase() => _marks.Count > 0 ? _marks[^1] : 0;

    private object Pop(int at)
    {
        if (_stack.Count <= CurrentMarkBase())
        {
            throw Fail(at, "the pickle stack is empty.");
        }

        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object Peek(int at)
        => _stack.Count > CurrentMarkBase() ? _stack[^1] : throw Fail(at, "the pickle stack is empty.");

    private PickleList PeekList(int at)
        => Peek(at) as PickleList ?? throw Fail(at, $"APPEND is applied to a {PickleText.TypeName(Peek(at))}, not a list.");

    private PickleDict PeekDict(int at)
        => Peek(at) as PickleDict ?? throw Fail(at, $"SETITEM is applied to a {PickleText.TypeName(Peek(at))}, not a dict.");

    /// <summary>Removes and returns the items above the innermost mark, and the mark.</summary>
    private List<object> PopMark(int at)
    {
        if (_marks.Count == 0)
        {
            throw Fail(at, "an opcode needs a MARK but there is none.");
        }

        var start = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        _context.ChargeOperations(items.Count);
        return items;
    }

    private PickleTuple NewTuple(int at, object[] items)
    {
        var tuple = new PickleTuple(items);
        CheckDepth(at, tuple.Depth);
        return tuple;
    }

    private void AppendAll(int at, PickleList list, IReadOnlyList<object> items)
    {
        CheckMutable(at, list, items);
        foreach (var item in items)
        {
            CheckDepth(at, list.Add(item));
        }
    }

    /// <summary>
    /// Refuses to change a container that is already inside another one (its recorded depth would no longer hold:
    /// nesting built inside-out through the memo), or to put a container inside itself.
    /// </summary>
    private void CheckMutable(int at, PickleContainer target, IReadOnlyList<object> items)
    {
        if (target.IsSealed)
        {
            throw Fail(at, $"a {PickleText.TypeName(target)} is changed after it was put inside another container, which a state dict never does.");
        }

        foreach (var item in items)
        {
            if (ReferenceEquals(item, target))
            {
                throw Fail(at, $"a {PickleText.TypeName(target)} is put inside itself.");
            }
        }
    }

    private void SetAll(int at, PickleDict dict, IReadOnlyList<object> keysAndValues)
    {
        if (keysAndValues.Count % 2 != 0)
        {
            throw Fail(at, "a dict is given an odd number of keys and values.");
        }

        CheckMutable(at, dict, keysAndValues);
        for (var i = 0; i < keysAndValues.Count; i += 2)
        {
            var key = keysAndValues[i];
            if (!PickleDict.IsSupportedKey(key))
            {
                throw Fail(at, $"a dict key is a {PickleText.TypeName(key)}; only str, int, float, bool and None keys are supported.");
            }

            // Hashing a key costs time in proportion to its length.
            if (key is string s)
            {
                _context.ChargeOperations(s.Length / 64);
            }

            CheckDepth(at, dict.Set(key, keysAndValues[i + 1]));
        }
    }

    private void CheckDepth(int at, int depth)
    {
        if (depth > _context.Limits.MaxPickleDepth)
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"containers are nested deeper than {_context.Limits.MaxPickleDepth} (limit MaxPickleDepth)."));
        }
    }

    private void Put(int at, uint index)
    {
        var value = Peek(at);
        if (!_memo.ContainsKey(index) && _memo.Count >= _context.Limits.MaxPickleMemoEntries)
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"the memo holds more than {_context.Limits.MaxPickleMemoEntries} entries (limit MaxPickleMemoEntries)."));
        }

        _memo[index] = value;
    }

    private object Get(int at, uint index)
        => _memo.TryGetValue(index, out var value)
            ? value
            : throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"memo entry {index} is read before it is written."));

    private PickleGlobal AsGlobal(int at, object value, string opcode)
        => value as PickleGlobal ?? throw Fail(at, $"{opcode} is applied to a {PickleText.TypeName(value)}, which cannot be called.");

    private PickleTuple AsTuple(int at, object value, string opcode)
        => value as PickleTuple ?? throw Fail(at, $"{opcode} is given a {PickleText.TypeName(value)} instead of an argument tuple.");
}
