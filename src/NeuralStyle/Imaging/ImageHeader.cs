using System;
using System.Buffers.Binary;

namespace NeuralStyle.Imaging;

/// <summary>
/// Recognises the common image formats from their first bytes and reads the size their header declares, without
/// decoding anything. Used only to explain why Skia refused a file (an empty size, or a known format whose header is
/// damaged), never to decide what is decoded.
/// </summary>
internal readonly record struct ImageHeader(string Format, long? Width, long? Height)
{
    /// <summary>How many leading bytes <see cref="Read"/> looks at, at most.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Identifies the format of <paramref name="data"/> and, where the header is complete, its declared size.</summary>
    /// <returns>The format and size, or <see langword="null"/> when the data does not start like a supported image.</returns>
    public static ImageHeader? Read(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return data.Length >= 24 && data[12..16].SequenceEqual("IHDR"u8)
                ? new ImageHeader("PNG", BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[20..]))
                : new ImageHeader("PNG", null, null);
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return data.Length >= 10
                ? new ImageHeader("GIF", BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]))
                : new ImageHeader("GIF", null, null);
        }

        if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8)
        {
            return Jpeg(data);
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return data.Length >= 30 && data[12..16].SequenceEqual("VP8 "u8)
                ? new ImageHeader("WebP", BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF)
                : new ImageHeader("WebP", null, null);
        }

        if (data.StartsWith("BM"u8))
        {
            return data.Length >= 26 && BinaryPrimitives.ReadUInt32LittleEndian(data[14..]) >= 40
                ? new ImageHeader("BMP", Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[18..])), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..])))
                : new ImageHeader("BMP", null, null);
        }

        return null;
    }

    // Walks the marker segments up to the first start-of-frame, which holds the size.
    private static ImageHeader Jpeg(ReadOnlySpan<byte> data)
    {
        var position = 2;
        while (position + 4 <= data.Length && data[position] == 0xFF)
        {
            var marker = data[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                position += 2;
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                break; // end of image or start of scan without a frame header
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            var isFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame)
            {
                return position + 9 <= data.Length
                    ? new ImageHeader("JPEG", BinaryPrimitives.ReadUInt16BigEndian(data[(position + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(position + 5)..]))
                    : new ImageHeader("JPEG", null, null);
            }

            position += 2 + length;
        }

        return new ImageHeader("JPEG", null, null);
    }
}
