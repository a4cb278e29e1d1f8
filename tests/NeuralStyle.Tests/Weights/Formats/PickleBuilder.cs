using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace NeuralStyle.Tests.Weights;

/// <summary>Writes pickle opcodes byte by byte, for hand-built test pickles (valid or hostile).</summary>
internal sealed class PickleBuilder
{
    private readonly List<byte> _bytes = new();

    public int Length => _bytes.Count;

    public byte[] ToArray() => _bytes.ToArray();

    public PickleBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }

    public PickleBuilder Op(byte opcode) => Raw(opcode);

    public PickleBuilder Proto(byte protocol) => Raw(0x80, protocol);

    public PickleBuilder Frame(ulong length) => Op(0x95).UInt64(length);

    public PickleBuilder Stop() => Op((byte)'.');

    public PickleBuilder Mark() => Op((byte)'(');

    public PickleBuilder None() => Op((byte)'N');

    public PickleBuilder Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    /// <summary>An int with the shortest opcode, as CPython writes it.</summary>
    public PickleBuilder Int(long value)
    {
        if (value is >= 0 and <= 0xff)
        {
            return Raw((byte)'K', (byte)value);
        }

        if (value is >= 0 and <= 0xffff)
        {
            return Op((byte)'M').UInt16((ushort)value);
        }

        if (value is >= int.MinValue and <= int.MaxValue)
        {
            return Op((byte)'J').Int32((int)value);
        }

        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return Long1(bytes);
    }

    public PickleBuilder Long1(byte[] littleEndianTwosComplement) => Raw(0x8a, (byte)littleEndianTwosComplement.Length).Raw(littleEndianTwosComplement);

    public PickleBuilder Float(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        return Op((byte)'G').Raw(bytes);
    }

    /// <summary>BINUNICODE (protocol 2 and 3 strings).</summary>
    public PickleBuilder Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Op((byte)'X').UInt32((uint)utf8.Length).Raw(utf8);
    }

    /// <summary>SHORT_BINUNICODE (protocol 4 strings).</summary>
    public PickleBuilder ShortStr(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Raw(0x8c, checked((byte)utf8.Length)).Raw(utf8);
    }

    /// <summary>SHORT_BINSTRING (Python 2 str).</summary>
    public PickleBuilder Py2Str(string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        return Raw((byte)'U', checked((byte)bytes.Length)).Raw(bytes);
    }

    public PickleBuilder Bytes(byte[] value) => Op((byte)'B').UInt32((uint)value.Length).Raw(value);

    public PickleBuilder Global(string module, string name) => Op((byte)'c').Raw(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));

    public PickleBuilder StackGlobal(string module, string name) => ShortStr(module).ShortStr(name).Op(0x93);

    public PickleBuilder EmptyTuple() => Op((byte)')');

    public PickleBuilder Tuple() => Op((byte)'t');

    public PickleBuilder Tuple1() => Op(0x85);

    public PickleBuilder Tuple2() => Op(0x86);

    public PickleBuilder Tuple3() => Op(0x87);

    public PickleBuilder EmptyList() => Op((byte)']');

    public PickleBuilder Append() => Op((byte)'a');

    public PickleBuilder Appends() => Op((byte)'e');

    public PickleBuilder EmptyDict() => Op((byte)'}');

    public PickleBuilder SetItem() => Op((byte)'s');

    public PickleBuilder SetItems() => Op((byte)'u');

    public PickleBuilder Reduce() => Op((byte)'R');

    public PickleBuilder NewObj() => Op(0x81);

    public PickleBuilder Build() => Op((byte)'b');

    public PickleBuilder BinPersId() => Op((byte)'Q');

    public PickleBuilder BinPut(byte index) => Raw((byte)'q', index);

    public PickleBuilder LongBinPut(uint index) => Op((byte)'r').UInt32(index);

    public PickleBuilder Memoize() => Op(0x94);

    public PickleBuilder BinGet(byte index) => Raw((byte)'h', index);

    public PickleBuilder LongBinGet(uint index) => Op((byte)'j').UInt32(index);

    public PickleBuilder Pop() => Op((byte)'0');

    public PickleBuilder UInt16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return Raw(b);
    }

    public PickleBuilder Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Raw(b);
    }

    public PickleBuilder UInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Raw(b);
    }

    public PickleBuilder UInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Raw(b);
    }

    /// <summary>Repeats a fragment <paramref name="count"/> times.</summary>
    public PickleBuilder Repeat(int count, Action<PickleBuilder> fragment)
    {
        for (var i = 0; i < count; i++)
        {
            fragment(this);
        }

        return this;
    }
}
