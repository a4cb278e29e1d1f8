using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// The bytes of one pickle in memory and the reading position: reads the arguments of opcodes (integers, strings, bytes,
/// name lines), checking every declared length against the bytes that remain before using it.
/// </summary>
internal sealed class PickleInput
{
    /// <summary>Longer integers than this (LONG1/LONG4) are refused; a state dict's largest is the 10-byte magic number.</summary>
    private const int MaxLongBytes = 256;

    /// <summary>
    /// The longest string or bytes object: a state dict's are names of well under a kilobyte, and a bound keeps every
    /// opcode short (a 64 MiB string would take a large part of a second to decode, while cancellation is looked at
    /// only between opcodes).
    /// </summary>
    internal const int MaxObjectBytes = 1 << 20;

    /// <summary>The longest GLOBAL module or name line.</summary>
    private const int MaxLineBytes = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly int _end;
    private readonly WeightReadContext _context;

    /// <summary>Reads <paramref name="data"/>[<paramref name="start"/>..<paramref name="end"/>).</summary>
    public PickleInput(byte[] data, int start, int end, WeightReadContext context)
    {
        _data = data;
        Position = start;
        _end = end;
        _context = context;
    }

    /// <summary>Gets the position of the next byte to read.</summary>
    public int Position { get; private set; }

    /// <summary>Gets the bytes that remain.</summary>
    public int Remaining => _end - Position;

    /// <summary>Creates the exception for a problem found at pickle byte <paramref name="at"/>; the message names the file.</summary>
    public WeightFormatException Fail(int at, string problem, Exception? inner = null)
        => _context.Fail(string.Create(CultureInfo.InvariantCulture, $"pickle byte {at}: {problem}"), inner);

    public byte ReadByte()
    {
        if (Position >= _end)
        {
            throw Fail(Position, "the pickle is truncated.");
        }

        return _data[Position++];
    }

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadSpan(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadSpan(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadSpan(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadSpan(8));

    public double ReadDoubleBigEndian() => BinaryPrimitives.ReadDoubleBigEndian(ReadSpan(8));

    /// <summary>Reads a string of <paramref name="length"/> bytes of strict UTF-8.</summary>
    public string ReadUtf8(int at, ulong length)
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

    /// <summary>Reads a string whose 4-byte length is signed (BINSTRING).</summary>
    public string ReadUtf8WithSignedLength(int at)
    {
        var length = ReadInt32();
        return length >= 0 ? ReadUtf8(at, (ulong)length) : throw Fail(at, "a string has a negative length.");
    }

    public byte[] ReadBytes(int at, ulong length) => ReadSpan(CheckedLength(at, length)).ToArray();

    /// <summary>Reads a little-endian two's complement integer of <paramref name="length"/> bytes (LONG1, LONG4).</summary>
    public object ReadLong(int at, int length)
    {
        if (length < 0 || length > MaxLongBytes)
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"an integer of {length} bytes is not supported."));
        }

        var bytes = ReadSpan(CheckedLength(at, (ulong)length));
        if (length <= 8)
        {
            // Sign-extend from the top byte.
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
    public string ReadLine(int at)
    {
        var limit = Math.Min(_end, Position + MaxLineBytes);
        var start = Position;
        for (var i = start; i < limit; i++)
        {
            var b = _data[i];
            if (b == (byte)'\n')
            {
                Position = i + 1;
                return Encoding.ASCII.GetString(_data, start, i - start);
            }

            if (b is < 0x20 or >= 0x7f)
            {
                throw Fail(at, "a name line holds a byte that is not printable ASCII.");
            }
        }

        throw Fail(at, "a name line has no end.");
    }

    private ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > _end - Position)
        {
            throw Fail(Position, "the pickle is truncated.");
        }

        var span = _data.AsSpan(Position, count);
        Position += count;
        return span;
    }

    /// <summary>Checks a declared length against the bytes that remain, and against <see cref="MaxObjectBytes"/>, before using it.</summary>
    private int CheckedLength(int at, ulong length)
    {
        if (length > MaxObjectBytes)
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"a string or bytes object declares {length} bytes, more than the {MaxObjectBytes} a weight file's pickle may hold in one."));
        }

        if (length > (ulong)(_end - Position))
        {
            throw Fail(at, string.Create(CultureInfo.InvariantCulture, $"a string or bytes object declares {length} bytes, but only {_end - Position} remain."));
        }

        // One operation per 64 bytes read, so that a run of long strings reaches the budget and the cancellation checks as
        // a run of short opcodes of the same length does.
        _context.ChargeOperations((long)length / 64);
        return (int)length;
    }
}
