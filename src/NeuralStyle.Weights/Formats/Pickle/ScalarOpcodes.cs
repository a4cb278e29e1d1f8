namespace NeuralStyle.Weights.Pickle;

/// <summary>The opcodes that push one scalar read from the pickle: None, booleans, integers, floats, strings and bytes.</summary>
internal static class ScalarOpcodes
{
    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>The integers 0 to 255 (BININT1), boxed once: a file of small integers allocates nothing for them.</summary>
    private static readonly object[] SmallIntegers = CreateSmallIntegers();

    /// <summary>Reads the value of <paramref name="op"/> if it is a scalar opcode; returns false for any other opcode.</summary>
    public static bool TryRead(byte op, int at, PickleInput input, out object value)
    {
        value = op switch
        {
            (byte)'N' => PickleNone.Instance, // NONE
            0x88 => True, // NEWTRUE
            0x89 => False, // NEWFALSE
            (byte)'J' => (long)input.ReadInt32(), // BININT
            (byte)'K' => SmallIntegers[input.ReadByte()], // BININT1
            (byte)'M' => (long)input.ReadUInt16(), // BININT2
            0x8a => input.ReadLong(at, input.ReadByte()), // LONG1
            0x8b => input.ReadLong(at, input.ReadInt32()), // LONG4
            (byte)'G' => input.ReadDoubleBigEndian(), // BINFLOAT (big-endian)
            (byte)'X' => input.ReadUtf8(at, input.ReadUInt32()), // BINUNICODE
            0x8c => input.ReadUtf8(at, input.ReadByte()), // SHORT_BINUNICODE
            0x8d => input.ReadUtf8(at, input.ReadUInt64()), // BINUNICODE8
            (byte)'T' => input.ReadUtf8WithSignedLength(at), // BINSTRING: a Python 2 str, decoded as UTF-8 like torch.load does
            (byte)'U' => input.ReadUtf8(at, input.ReadByte()), // SHORT_BINSTRING
            (byte)'B' => input.ReadBytes(at, input.ReadUInt32()), // BINBYTES
            (byte)'C' => input.ReadBytes(at, input.ReadByte()), // SHORT_BINBYTES
            0x8e => input.ReadBytes(at, input.ReadUInt64()), // BINBYTES8
            _ => null!,
        };
        return value is not null;
    }

    /// <summary>Whether the value of a scalar opcode is a new object (not None, a boolean or a small integer, which are shared).</summary>
    public static bool BuildsObject(byte op) => op is not ((byte)'N' or 0x88 or 0x89 or (byte)'K');

    private static object[] CreateSmallIntegers()
    {
        var boxes = new object[256];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = (long)i;
        }

        return boxes;
    }
}
