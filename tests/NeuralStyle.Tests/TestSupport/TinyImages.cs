using System;
using System.Buffers.Binary;
using System.IO;
using NeuralStyle.Tests.Imaging;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>Hand-made files in formats Skia does not encode (GIF, BMP) and PNG layouts it does not write (16-bit gray, 16-bit RGBA).</summary>
internal static class TinyImages
{
    /// <summary>A 1×1 GIF whose single pixel has colour <paramref name="r"/>, <paramref name="g"/>, <paramref name="b"/>.</summary>
    public static byte[] Gif1x1(byte r, byte g, byte b) => Gif(1, 1, r, g, b);

    /// <summary>A GIF whose screen and image declare the given size but whose image data codes one pixel.</summary>
    public static byte[] Gif(ushort width, ushort height, byte r = 0, byte g = 0, byte b = 0)
    {
        using var output = new MemoryStream();
        output.Write("GIF89a"u8);
        Span<byte> word = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(word, width);
        output.Write(word);
        BinaryPrimitives.WriteUInt16LittleEndian(word, height);
        output.Write(word);
        output.Write([0x80, 0x00, 0x00]); // global colour table of 2 entries
        output.Write([r, g, b, 0xFF, 0xFF, 0xFF]);
        output.Write([0x2C, 0, 0, 0, 0]); // image descriptor at (0, 0)
        BinaryPrimitives.WriteUInt16LittleEndian(word, width);
        output.Write(word);
        BinaryPrimitives.WriteUInt16LittleEndian(word, height);
        output.Write(word);
        output.Write([0x00, 0x02]); // no local table; LZW minimum code size 2
        output.Write([0x02, 0x44, 0x01, 0x00]); // codes clear(4), 0, end(5) in 3 bits each, then the block terminator
        output.Write([0x3B]);
        return output.ToArray();
    }

    /// <summary>A 24-bit bottom-up BMP; <paramref name="color"/>(x, y) gives R, G, B with y counted from the top.</summary>
    public static byte[] Bmp(int width, int height, Func<int, int, (byte R, byte G, byte B)> color)
    {
        var stride = ((width * 3) + 3) & ~3;
        var imageSize = stride * height;
        var file = new byte[54 + imageSize];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), imageSize);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + ((height - 1 - y) * stride);
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = color(x, y);
                file[row + (3 * x)] = b;
                file[row + (3 * x) + 1] = g;
                file[row + (3 * x) + 2] = r;
            }
        }

        return file;
    }

    /// <summary>A 16-bit PNG of colour type 0 (gray) or 6 (RGBA); <paramref name="samples"/> holds the samples row by row.</summary>
    public static byte[] Png16(int width, int height, byte colorType, ushort[] samples)
    {
        var channels = colorType switch
        {
            0 => 1,
            6 => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(colorType)),
        };
        if (samples.Length != width * height * channels)
        {
            throw new ArgumentException("Wrong number of samples.", nameof(samples));
        }

        var raw = new byte[height * (1 + (width * channels * 2))];
        for (int y = 0, o = 0, s = 0; y < height; y++)
        {
            raw[o++] = 0; // filter: None
            for (var i = 0; i < width * channels; i++, s++, o += 2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(o), samples[s]);
            }
        }

        return TestImages.Png(width, height, bitDepth: 16, colorType, TestImages.Deflate(raw));
    }
}
