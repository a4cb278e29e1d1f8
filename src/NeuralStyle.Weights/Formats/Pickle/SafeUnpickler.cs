using System;
using System.Globalization;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// A restricted unpickler for PyTorch state dicts. It implements the opcodes of protocols 2 to 5 that state dicts use,
/// resolves globals only against <see cref="PickleGlobal"/>'s allow-list (each a fixed C# handler), and bounds depth,
/// memo size, lengths, total work and the objects built in proportion to the file's length. Nothing from the file is
/// ever executed or instantiated by name. The bytes are read by <see cref="PickleInput"/>, containers built by
/// <see cref="ContainerBuilder"/>; every opcode costs constant work plus work in proportion to the items and bytes it
/// takes, so a parse is linear in the file whatever its structure.
/// </summary>
internal sealed class SafeUnpickler
{
    private readonly PickleInput _input;
    private readonly WeightReadContext _context;
    private readonly Func<object, object>? _persistentLoad;
    private readonly PickleStack _stack;
    private readonly PickleMemo _memo;
    private readonly ContainerBuilder _containers;

    /// <summary>Prepares to read one pickle from <paramref name="data"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="start">Where the pickle starts.</param>
    /// <param name="end">Where the readable bytes end (the pickle may end earlier, at its STOP).</param>
    /// <param name="context">The file's context: name, limits and budgets.</param>
    /// <param name="persistentLoad">Resolves persistent ids, or null where none are expected.</param>
    public SafeUnpickler(byte[] data, int start, int end, WeightReadContext context, Func<object, object>? persistentLoad)
    {
        _input = new PickleInput(data, start, end, context);
        _context = context;
        _persistentLoad = persistentLoad;
        _stack = new PickleStack(_input, context);
        _memo = new PickleMemo(_input, context);
        _containers = new ContainerBuilder(_input, context);
    }

    /// <summary>Gets the position after the STOP opcode once <see cref="Load"/> has returned.</summary>
    public int Position => _input.Position;

    /// <summary>Reads opcodes up to STOP and returns the object on top of the stack.</summary>
    public object Load()
    {
        var input = _input;
        var stack = _stack;
        while (true)
        {
            if (input.Remaining <= 0)
            {
                throw input.Fail(input.Position, "the pickle ends without a STOP opcode.");
            }

            var at = input.Position;
            var op = input.ReadByte();
            _context.ChargeOperations(1);
            switch (op)
            {
                case (byte)'.': // STOP
                    return stack.Pop(at);

                case 0x80: // PROTO
                    var protocol = input.ReadByte();
                    if (protocol is < 2 or > 5)
                    {
                        throw input.Fail(at, $"unsupported pickle protocol {protocol}.");
                    }

                    break;

                case 0x95: // FRAME: a length hint; frames need no special handling when all bytes are in memory.
                    if (input.ReadUInt64() > (ulong)input.Remaining)
                    {
                        throw input.Fail(at, "a FRAME is longer than the rest of the pickle.");
                    }

                    break;

                case (byte)'(': // MARK
                    stack.PushMark(at);
                    break;

                case (byte)'0': // POP: the top item, or the mark when the items since the mark are used up
                    stack.PopItemOrMark(at);
                    break;

                case (byte)'1': // POP_MARK
                    stack.Truncate(stack.PopMark(at));
                    break;

                case (byte)'2': // DUP
                    stack.Push(stack.Peek(at));
                    break;

                case (byte)')': // EMPTY_TUPLE
                    stack.Push(PickleTuple.Empty);
                    break;

                case (byte)'t': // TUPLE
                    var tupleStart = stack.PopMark(at);
                    var tuple = _containers.NewTuple(at, stack.ItemsFrom(tupleStart).ToArray());
                    stack.Truncate(tupleStart);
                    stack.Push(tuple);
                    break;

                case 0x85: // TUPLE1
                case 0x86: // TUPLE2
                case 0x87: // TUPLE3
                    var itemsStart = stack.TopStart(at, op - 0x84);
                    var small = _containers.NewTuple(at, stack.ItemsFrom(itemsStart).ToArray());
                    stack.Truncate(itemsStart);
                    stack.Push(small);
                    break;

                case (byte)']': // EMPTY_LIST
                    _context.CountObjects(1);
                    stack.Push(new PickleList());
                    break;

                case (byte)'l': // LIST
                    var listStart = stack.PopMark(at);
                    _context.CountObjects(1);
                    var list = new PickleList();
                    _containers.Append(at, list, stack.ItemsFrom(listStart));
                    stack.Truncate(listStart);
                    stack.Push(list);
                    break;

                case (byte)'a': // APPEND
                    var appended = stack.Pop(at);
                    _containers.Append(at, stack.Peek(at), new ReadOnlySpan<object>(ref appended));
                    break;

                case (byte)'e': // APPENDS
                    var appendsStart = stack.PopMark(at);
                    _containers.Append(at, stack.ItemBelow(at, appendsStart), stack.ItemsFrom(appendsStart));
                    stack.Truncate(appendsStart);
                    break;

                case (byte)'}': // EMPTY_DICT
                    _context.CountObjects(1);
                    stack.Push(new PickleDict());
                    break;

                case (byte)'d': // DICT
                    var dictStart = stack.PopMark(at);
                    _context.CountObjects(1);
                    var dict = new PickleDict();
                    _containers.SetItems(at, dict, stack.ItemsFrom(dictStart));
                    stack.Truncate(dictStart);
                    stack.Push(dict);
                    break;

                case (byte)'s': // SETITEM
                    var pairStart = stack.TopStart(at, 2);
                    _containers.SetItems(at, stack.ItemBelow(at, pairStart), stack.ItemsFrom(pairStart));
                    stack.Truncate(pairStart);
                    break;

                case (byte)'u': // SETITEMS
                    var pairsStart = stack.PopMark(at);
                    _containers.SetItems(at, stack.ItemBelow(at, pairsStart), stack.ItemsFrom(pairsStart));
                    stack.Truncate(pairsStart);
                    break;

                case (byte)'c': // GLOBAL
                    var module = input.ReadLine(at);
                    stack.Push(Resolve(at, module, input.ReadLine(at)));
                    break;

                case 0x93: // STACK_GLOBAL
                    var name = stack.Pop(at);
                    var moduleName = stack.Pop(at);
                    if (moduleName is not string m || name is not string n)
                    {
                        throw input.Fail(at, "STACK_GLOBAL is given a module or name that is not a string.");
                    }

                    stack.Push(Resolve(at, m, n));
                    break;

                case (byte)'i': // INST names a class on two lines: check it, then refuse the opcode
                    var instModule = input.ReadLine(at);
                    Resolve(at, instModule, input.ReadLine(at));
                    throw input.Fail(at, "the INST opcode is not supported.");

                case (byte)'R': // REDUCE
                    var args = stack.Pop(at);
                    var callable = stack.Pop(at);
                    _context.CountObjects(1);
                    stack.Push(TorchCalls.Call(_context, AsGlobal(at, callable, "REDUCE"), AsTuple(at, args, "REDUCE")));
                    break;

                case 0x81: // NEWOBJ
                    var newArgs = stack.Pop(at);
                    var type = stack.Pop(at);
                    _context.CountObjects(1);
                    stack.Push(TorchCalls.New(_context, AsGlobal(at, type, "NEWOBJ"), AsTuple(at, newArgs, "NEWOBJ")));
                    break;

                case (byte)'b': // BUILD: sets the state of a dict (OrderedDict's _metadata) or a tensor, which is not needed
                    var state = stack.Pop(at);
                    _containers.Build(at, stack.Peek(at), state);
                    break;

                case (byte)'Q': // BINPERSID
                    stack.Push(PersistentLoad(at, stack.Pop(at)));
                    break;

                case (byte)'P': // PERSID: a text id, which torch never writes
                    stack.Push(PersistentLoad(at, input.ReadLine(at)));
                    break;

                case (byte)'q': // BINPUT
                    _memo.Put(at, input.ReadByte(), stack.Peek(at));
                    break;

                case (byte)'r': // LONG_BINPUT
                    _memo.Put(at, input.ReadUInt32(), stack.Peek(at));
                    break;

                case 0x94: // MEMOIZE
                    _memo.Put(at, (uint)_memo.Count, stack.Peek(at));
                    break;

                case (byte)'h': // BINGET
                    stack.Push(_memo.Get(at, input.ReadByte()));
                    break;

                case (byte)'j': // LONG_BINGET
                    stack.Push(_memo.Get(at, input.ReadUInt32()));
                    break;

                default:
                    if (ScalarOpcodes.TryRead(op, at, input, out var scalar))
                    {
                        if (ScalarOpcodes.BuildsObject(op))
                        {
                            _context.CountObjects(1);
                        }

                        stack.Push(scalar);
                        break;
                    }

                    throw input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"unsupported pickle opcode 0x{op:x2}."));
            }
        }
    }

    private PickleGlobal Resolve(int at, string module, string name)
        => PickleGlobal.TryResolve(module, name, out var global)
            ? global!
            : throw _input.Fail(at, $"global '{Shorten(module)}.{Shorten(name)}' is not allowed in a weight file (only the globals of a PyTorch state dict are).");

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private object PersistentLoad(int at, object id)
    {
        if (_persistentLoad is null)
        {
            throw _input.Fail(at, "a persistent id appears where none is expected.");
        }

        _context.CountObjects(1);
        return _persistentLoad(id);
    }

    private PickleGlobal AsGlobal(int at, object value, string opcode)
        => value as PickleGlobal ?? throw _input.Fail(at, $"{opcode} is applied to a {PickleText.TypeName(value)}, which cannot be called.");

    private PickleTuple AsTuple(int at, object value, string opcode)
        => value as PickleTuple ?? throw _input.Fail(at, $"{opcode} is given a {PickleText.TypeName(value)} instead of an argument tuple.");
}
