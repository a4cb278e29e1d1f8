using System;

namespace NeuralStyle.Weights;

/// <summary>Lower-case hexadecimal text for SHA-256 digests.</summary>
internal static class HexText
{
    private const string Digits = "0123456789abcdef";

    /// <summary>Checks that <paramref name="value"/> is 64 hexadecimal digits and returns it in lower case.</summary>
    public static string NormalizeSha256(string value, string parameterName)
    {
        if (value.Length != 64 || !value.AsSpan().ContainsOnlyHex())
        {
            throw new ArgumentException($"'{value}' is not a SHA-256 digest (64 hexadecimal digits).", parameterName);
        }

        return ToLower(Convert.FromHexString(value));
    }

    /// <summary>Formats bytes as lower-case hexadecimal digits.</summary>
    public static string ToLower(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = bytes.Length <= 64 ? stackalloc char[bytes.Length * 2] : new char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = Digits[bytes[i] >> 4];
            chars[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }

        return new string(chars);
    }
}

/// <summary>Span helpers missing from .NET 8.</summary>
file static class SpanHex
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
