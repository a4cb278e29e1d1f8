using System;
using System.Buffers.Binary;
using System.IO;

namespace NeuralStyle.Imaging;

/// <summary>
/// Recognises the common image formats from their first bytes and reads the size their header declares, without
/// decoding anything. Used to explain why Skia refused a file (an empty size, or a known format whose header is
/// damaged) and to estimate the whole-image buffers a decoder keeps (<see cref="WholeImageBytes"/>); never to decide
/// what is decoded.
/// </summary>
/// <param name="Format">The format's name.</param>
/// <param name="Width">The declared width, when the header holds it.</param>
/// <param name="Height">The declared height, when the header holds it.</param>
/// <param name="WholeImageBytes">
/// The memory the decoder keeps for the whole image whatever size it decodes at: a progressive JPEG's DCT coefficients
/// (2 bytes each, per component and sampling) or an interlaced PNG's rows (4 bytes a pixel, 8 at 16 bits); 0 otherwise,
/// and <see langword="null"/> for a JPEG whose frame header was not found.
/// </param>
internal readonly record struct ImageHeader(string Format, long? Width, long? Height, long? WholeImageBytes = 0)
{
    /// <summary>How many leading bytes <see cref="Read"/> looks at, at most.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Identifies the format of <paramref name="data"/> and, where the header is complete, its declared size.</summary>
    /// <returns>The format and size, or <see langword="null"/> when the data does not start like a supported image.</returns>
    public static ImageHeader? Read(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            if (data.Length < 24 || !data[12..16].SequenceEqual("IHDR"u8))
            {
                return new ImageHeader("PNG", null, null);
            }

            long width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
            var interlaced = data.Length >= 29 && data[28] == 1;
            return new ImageHeader("PNG", width, height, interlaced ? width * height * (data[24] == 16 ? 8 : 4) : 0);
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return data.Length >= 10
                ? new ImageHeader("GIF", BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]))
                : new ImageHeader("GIF", null, null);
        }

        if (data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8)
        {
            var position = 2;
            return Jpeg(data, ref position) ?? new ImageHeader("JPEG", null, null, null);
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

    /// <summary>
    /// Reads the header of the image at <paramref name="start"/> in a seekable stream and puts the position back. A
    /// JPEG whose frame header lies beyond <see cref="MaxBytes"/> (behind large metadata segments) is followed segment
    /// by segment through the stream.
    /// </summary>
    public static ImageHeader? ReadFrom(Stream source, long start)
    {
        try
        {
            var header = Read(ReadAt(source, start, MaxBytes));
            if (header is { Format: "JPEG", WholeImageBytes: null })
            {
                // Each window starts at a marker; the walk stops at a frame, a scan, damage or the end of the stream.
                var offset = start + 2;
                for (var window = 0; window < 4096 && offset < source.Length; window++)
                {
                    var data = ReadAt(source, offset, MaxBytes);
                    var position = 0;
                    if (Jpeg(data, ref position) is { } found)
                    {
                        return found;
                    }

                    if (position == 0)
                    {
                        break;
                    }

                    offset += position;
                }
            }

            return header;
        }
        finally
        {
            source.Position = start;
        }
    }

    private static byte[] ReadAt(Stream source, long offset, int count)
    {
        source.Position = offset;
        var data = new byte[(int)Math.Max(0, Math.Min(count, source.Length - offset))];
        source.ReadExactly(data);
        return data;
    }

    // Walks the marker segments from position up to the first start-of-frame, which holds the size and the components.
    // Returns null, with position at the next unread marker, when the data ends first.
    private static ImageHeader? Jpeg(ReadOnlySpan<byte> data, ref int position)
    {
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
                return new ImageHeader("JPEG", null, null); // end of image or start of scan without a frame header
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            var isFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame)
            {
                return JpegFrame(data[position..], progressive: marker is 0xC2 or 0xC6 or 0xCA or 0xCE);
            }

            position += 2 + length;
        }

        return position + 4 <= data.Length ? new ImageHeader("JPEG", null, null) : null;
    }

    // A frame segment: FF Cn, length, precision, height, width, component count, then (id, sampling, table) per component.
    // A progressive decoder keeps every component's DCT coefficients (64 × 2 bytes a block, whole MCUs) until the end.
    private static ImageHeader JpegFrame(ReadOnlySpan<byte> frame, bool progressive)
    {
        if (frame.Length < 10)
        {
            return new ImageHeader("JPEG", null, null);
        }

        long height = BinaryPrimitives.ReadUInt16BigEndian(frame[5..]), width = BinaryPrimitives.ReadUInt16BigEndian(frame[7..]);
        int components = frame[9];
        if (!progressive)
        {
            return new ImageHeader("JPEG", width, height, 0);
        }

        if (frame.Length < 10 + (3 * components) || components == 0)
        {
            return new ImageHeader("JPEG", width, height, null);
        }

        int maxH = 1, maxV = 1;
        for (var c = 0; c < components; c++)
        {
            maxH = Math.Max(maxH, frame[11 + (3 * c)] >> 4);
            maxV = Math.Max(maxV, frame[11 + (3 * c)] & 0xF);
        }

        long mcusWide = (width + (8 * maxH) - 1) / (8 * maxH), mcusHigh = (height + (8 * maxV) - 1) / (8 * maxV), blocks = 0;
        for (var c = 0; c < components; c++)
        {
            blocks += mcusWide * Math.Max(1, frame[11 + (3 * c)] >> 4) * mcusHigh * Math.Max(1, frame[11 + (3 * c)] & 0xF);
        }

        return new ImageHeader("JPEG", width, height, blocks * 64 * sizeof(short));
    }
}
