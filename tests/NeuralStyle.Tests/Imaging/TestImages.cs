using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace NeuralStyle.Tests.Imaging;

/// <summary>Builds bitmaps and hand-made image files for the imaging tests.</summary>
internal static class TestImages
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>An RGBA8888 bitmap whose pixels come from <paramref name="color"/>(x, y).</summary>
    public static SKBitmap Create(int width, int height, Func<int, int, SKColor> color, SKAlphaType alphaType = SKAlphaType.Unpremul)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, alphaType));
        var span = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var c = color(x, y);
                int p = ((y * width) + x) * 4;
                span[p] = c.Red;
                span[p + 1] = c.Green;
                span[p + 2] = c.Blue;
                span[p + 3] = c.Alpha;
            }
        }

        return bitmap;
    }

    /// <summary>Reads pixel (x, y) of an RGBA8888 bitmap.</summary>
    public static SKColor Pixel(SKBitmap bitmap, int x, int y)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
        {
            throw new ArgumentException("Expected RGBA8888.", nameof(bitmap));
        }

        var span = bitmap.GetPixelSpan();
        int p = (y * bitmap.RowBytes) + (x * 4);
        return new SKColor(span[p], span[p + 1], span[p + 2], span[p + 3]);
    }

    /// <summary>A noisy, deterministic opaque image (compresses badly, so truncation cuts into pixel data).</summary>
    public static SKBitmap Noise(int width, int height, uint seed = 1)
    {
        uint state = seed;
        return Create(width, height, (_, _) =>
        {
            state = (state * 1664525u) + 1013904223u;
            return new SKColor((byte)(state >> 24), (byte)(state >> 16), (byte)(state >> 8));
        });
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>Inserts an APP1 Exif segment holding only the Orientation tag right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        if (jpeg.Length < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new ArgumentException("Not a JPEG.", nameof(jpeg));
        }

        var tiff = new byte[]
        {
            (byte)'M', (byte)'M', 0x00, 0x2A,           // big-endian TIFF header
            0x00, 0x00, 0x00, 0x08,                     // offset of IFD0
            0x00, 0x01,                                 // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, // Orientation, SHORT, count 1
            (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                     // no next IFD
        };
        var exif = Encoding.ASCII.GetBytes("Exif\0\0");
        int length = 2 + exif.Length + tiff.Length;
        using var output = new MemoryStream();
        output.Write(jpeg, 0, 2);
        output.Write([0xFF, 0xE1, (byte)(length >> 8), (byte)length]);
        output.Write(exif);
        output.Write(tiff);
        output.Write(jpeg, 2, jpeg.Length - 2);
        return output.ToArray();
    }

    /// <summary>A 16-bit RGB PNG (colour type 2, bit depth 16); <paramref name="samples"/> holds R, G, B per pixel, row by row.</summary>
    public static byte[] Png16Rgb(int width, int height, ushort[] samples)
    {
        if (samples.Length != width * height * 3)
        {
            throw new ArgumentException("Wrong number of samples.", nameof(samples));
        }

        var raw = new byte[height * (1 + (width * 6))];
        for (int y = 0, o = 0, s = 0; y < height; y++)
        {
            raw[o++] = 0; // filter: None
            for (int i = 0; i < width * 3; i++, s++, o += 2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(o), samples[s]);
            }
        }

        return Png(width, height, bitDepth: 16, colorType: 2, Deflate(raw));
    }

    /// <summary>A PNG whose header declares the given size but whose image data is a token few bytes.</summary>
    public static byte[] PngHeaderOnly(int width, int height) => Png(width, height, bitDepth: 8, colorType: 2, Deflate(new byte[16]));

    internal static byte[] Png(int width, int height, byte bitDepth, byte colorType, byte[] idat)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", idat);
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    internal static byte[] Deflate(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    // CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG uses it; the caller starts with and finally xors 0xFFFFFFFF.
    private static uint Crc32(uint crc, byte[] data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}

/// <summary>A fresh empty folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralstyle-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
