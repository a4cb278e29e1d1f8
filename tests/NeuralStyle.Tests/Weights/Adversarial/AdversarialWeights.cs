using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO.Compression;
using System.Linq;
using NeuralStyle.Weights;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// Generators of hostile weight files, one per attack class of docs/security.md, each scaled by a size argument: the
/// tests use small sizes, eng/adversarial.sh large ones (NEURALSTYLE_ADVERSARIAL_SCALE).
/// </summary>
internal static class AdversarialWeights
{
    /// <summary>Gets the scale of the long mode (eng/adversarial.sh), or 0 in the normal test run.</summary>
    public static int LongModeScale
        => int.TryParse(Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var scale) ? scale : 0;

    /// <summary>
    /// A legacy .pth whose state dict has <paramref name="count"/> integer keys that all share one
    /// <see cref="long.GetHashCode"/> (high and low halves equal), the quadratic-parse attack.
    /// </summary>
    public static byte[] CollidingIntegerKeys(int count)
    {
        var p = new PickleBuilder().Proto(2).EmptyDict().Mark();
        for (var i = 1; i <= count; i++)
        {
            var key = ((long)i << 32) | (uint)i;
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, key);
            p.Long1(bytes).None();
        }

        return Legacy(p.SetItems().Stop().ToArray());
    }

    /// <summary>
    /// A legacy .pth that nests <paramref name="depth"/> lists inside-out through the memo: each new list is appended to
    /// the previous one after that one is already inside its parent, so the stack never grows.
    /// </summary>
    public static byte[] MemoNesting(int depth)
    {
        var p = new PickleBuilder().Proto(2).EmptyList().LongBinPut(0).Pop();
        for (var i = 1; i <= depth; i++)
        {
            p.LongBinGet((uint)(i - 1)).EmptyList().LongBinPut((uint)i).Append().Pop();
        }

        return Legacy(p.EmptyDict().Str("root").LongBinGet(0).SetItem().Stop().ToArray());
    }

    /// <summary>A legacy .pth of <paramref name="count"/> cheap opcodes (NONE, POP): the largest parse the work budget allows.</summary>
    public static byte[] OpcodeFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.None().Pop()).EmptyDict().Stop().ToArray());

    /// <summary>
    /// A legacy .pth of <paramref name="count"/> EMPTY_DICT opcodes, each a new dict kept on the stack: the most objects
    /// a pickle can build per byte (the state dict is the last one).
    /// </summary>
    public static byte[] EmptyDictFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.EmptyDict()).Stop().ToArray());

    /// <summary>A legacy .pth of <paramref name="count"/> one-element tuples (NONE, TUPLE1) kept on the stack, then an empty state dict.</summary>
    public static byte[] SmallTupleFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.None().Tuple1()).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth of <paramref name="count"/> one-character strings kept on the stack, then an empty state dict.</summary>
    public static byte[] StringFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.ShortStr("a")).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth of <paramref name="count"/> empty lists kept on the stack, then an empty state dict.</summary>
    public static byte[] EmptyListFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.EmptyList()).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth of <paramref name="count"/> NONE opcodes kept on the stack: one stack slot per byte.</summary>
    public static byte[] StackFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.None()).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth that pushes one None and then DUPs it <paramref name="count"/> times.</summary>
    public static byte[] DupFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).None().Repeat(count, p => p.Op((byte)'2')).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth that memoizes an empty dict and reads it back <paramref name="count"/> times with BINGET, kept on the stack.</summary>
    public static byte[] MemoGetFlood(int count)
        => Legacy(new PickleBuilder().Proto(4).EmptyDict().Memoize().Repeat(count, p => p.BinGet(0)).Stop().ToArray());

    /// <summary>A legacy .pth that memoizes <paramref name="count"/> empty dicts (MEMOIZE, POP), up to the memo limit.</summary>
    public static byte[] MemoPutFlood(int count)
        => Legacy(new PickleBuilder().Proto(4).Repeat(count, p => p.EmptyDict().Memoize().Pop()).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth whose one LONG_BINPUT names the last memo entry the limit allows, then <paramref name="count"/> of them.</summary>
    public static byte[] MemoJump(int count)
        => Legacy(new PickleBuilder().Proto(2).None().Repeat(count, p => p.LongBinPut((uint)WeightReaderLimits.Default.MaxPickleMemoEntries - 1)).Pop().EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth that appends <paramref name="count"/> Nones to one list, one APPEND each.</summary>
    public static byte[] AppendFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).EmptyList().Repeat(count, p => p.None().Append()).Pop().EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth that appends <paramref name="count"/> empty dicts to one list in APPENDS batches of 1000, as a pickler batches them.</summary>
    public static byte[] AppendsFlood(int count)
    {
        var p = new PickleBuilder().Proto(2).EmptyList();
        for (var done = 0; done < count; done += 1000)
        {
            p.Mark().Repeat(Math.Min(1000, count - done), q => q.EmptyDict()).Appends();
        }

        return Legacy(p.Pop().EmptyDict().Stop().ToArray());
    }

    /// <summary>A legacy .pth whose state dict gets <paramref name="count"/> entries (small integer keys, None values) in SETITEMS batches of 1000.</summary>
    public static byte[] SetItemsFlood(int count)
    {
        var p = new PickleBuilder().Proto(2).EmptyDict();
        for (var done = 0; done < count; done += 1000)
        {
            p.Mark().Repeat(Math.Min(1000, count - done), q => q.Int(7).None()).SetItems();
        }

        return Legacy(p.Stop().ToArray());
    }

    /// <summary>A legacy .pth of one tuple of <paramref name="count"/> Nones, built from a MARK.</summary>
    public static byte[] WideTuple(int count)
        => Legacy(new PickleBuilder().Proto(2).Mark().Repeat(count, p => p.None()).Tuple().Pop().EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth of <paramref name="count"/> MARK, POP_MARK pairs: the cheapest opcodes that touch the mark stack.</summary>
    public static byte[] MarkFlood(int count)
        => Legacy(new PickleBuilder().Proto(2).Repeat(count, p => p.Mark().Op((byte)'1')).EmptyDict().Stop().ToArray());

    /// <summary>A legacy .pth whose state dict is <paramref name="depth"/> lists nested by APPEND, outside in.</summary>
    public static byte[] DeepLists(int depth)
        => Legacy(new PickleBuilder().Proto(2).Repeat(depth, p => p.EmptyList()).Repeat(depth - 1, p => p.Append()).Pop().EmptyDict().Stop().ToArray());

    /// <summary>
    /// A legacy .pth of <paramref name="count"/> structures kept on the stack, each padded to <paramref name="spacing"/>
    /// bytes (at least 4 more than the structure) with opcodes that build nothing (FRAME, LONG_BINPUT 0, MARK and
    /// POP_MARK): a flood spread out to just within the object bound, the slowest per byte that it admits.
    /// </summary>
    public static byte[] SpacedFlood(int count, int spacing, Action<PickleBuilder> structure)
        => Legacy(Spaced(new PickleBuilder().Proto(2), count, spacing, structure).EmptyDict().Stop().ToArray());

    /// <summary>Appends the structures of <see cref="SpacedFlood"/> to <paramref name="p"/>.</summary>
    public static PickleBuilder Spaced(PickleBuilder p, int count, int spacing, Action<PickleBuilder> structure)
    {
        for (var i = 0; i < count; i++)
        {
            var start = p.Length;
            structure(p);
            // As few opcodes as possible: 9-byte FRAMEs, then a 5-byte LONG_BINPUT if the rest is odd, then 2-byte pairs.
            var filler = spacing - (p.Length - start);
            var frames = filler / 9;
            if (filler - (9 * frames) is 1 or 3 && frames > 0)
            {
                frames--;
            }

            p.Repeat(frames, q => q.Frame(0));
            filler -= 9 * frames;
            var puts = (filler - (filler / 5 * 5)) % 2 == 0 ? filler / 5 : (filler / 5) - 1;
            p.Repeat(puts, q => q.LongBinPut(0));
            p.Repeat((filler - (5 * puts)) / 2, q => q.Mark().Op((byte)'1'));
        }

        return p;
    }

    /// <summary>A legacy .pth whose state dict is <paramref name="depth"/> nested one-element tuples.</summary>
    public static byte[] DeepTuples(int depth)
        => Legacy(new PickleBuilder().Proto(2).EmptyTuple().Repeat(depth, p => p.Tuple1()).Stop().ToArray());

    /// <summary>A zip .pth of a few hundred bytes whose pickle declares one float32 storage of <paramref name="elements"/> elements.</summary>
    public static byte[] HugeDeclaredStorage(long elements)
    {
        var p = new PickleBuilder().Proto(2).EmptyDict().Str("w");
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        p.Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(elements).Tuple().BinPersId();
        p.Int(0).Int(elements).Tuple1().Int(1).Tuple1().Bool(false);
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Tuple().Reduce().SetItem().Stop();
        return TorchCheckpoint.Zip([("archive/data.pkl", p.ToArray()), ("archive/data/0", new byte[16]), ("archive/version", "3\n"u8.ToArray())]);
    }

    /// <summary>A zip .pth with <paramref name="count"/> empty entries beside its pickle.</summary>
    public static byte[] ManyZipEntries(int count)
    {
        var pickle = new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray();
        var entries = new List<(string, byte[])> { ("archive/data.pkl", pickle) };
        entries.AddRange(Enumerable.Range(0, count).Select(i => ("archive/data/" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<byte>())));
        return TorchCheckpoint.Zip(entries);
    }

    /// <summary>A small zip .pth whose end-of-directory record claims <paramref name="claimed"/> entries (up to 65535).</summary>
    public static byte[] LyingZipEntryCount(ushort claimed)
    {
        var zip = ManyZipEntries(1);
        var end = zip.Length - 22;
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 8), claimed);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(end + 10), claimed);
        return zip;
    }

    /// <summary>A safetensors file of one float32 tensor of <paramref name="elements"/> elements whose last one is NaN.</summary>
    public static byte[] NonFinite(int elements)
    {
        var values = new float[elements];
        values[^1] = float.NaN;
        return SafeTensorsFile.Build([("features.0.weight", "F32", [elements], Bytes.Float32(values))]);
    }

    private static byte[] Legacy(byte[] stateDictPickle) => new TorchCheckpoint().ToLegacy(pickleOverride: stateDictPickle, keyListOverride: []);
}
