using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO.Compression;
using System.Linq;

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
