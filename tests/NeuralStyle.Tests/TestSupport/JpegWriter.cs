using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// Writes tiny baseline JPEG files by hand, for colour layouts that Skia cannot encode (CMYK, YCCK) and for headers that
/// lie about the size. Every 8×8 block is flat, so it needs no DCT: a flat block's only coefficient is the DC term,
/// <c>8 · (sample − 128)</c>, stored with a quantisation table of ones; the AC part of each block is one end-of-block code.
/// Components are not subsampled. Huffman tables: DC categories 0–11 all with 4-bit codes (category k is code k), and
/// an AC table whose end-of-block symbol has the code <c>00</c>.
/// </summary>
internal static class JpegWriter
{
    /// <summary>The colour transform recorded in Adobe's APP14 marker.</summary>
    public enum AdobeTransform : byte
    {
        /// <summary>Components stored as they are (RGB or CMYK).</summary>
        None = 0,

        /// <summary>YCbCr (three components).</summary>
        YCbCr = 1,

        /// <summary>YCbCr plus K (four components).</summary>
        Ycck = 2,
    }

    /// <summary>
    /// Encodes an image of flat 8×8 blocks. <paramref name="block"/>(bx, by) gives the component values of block
    /// (bx, by) as stored in the file (one per component: 1 for grayscale, 3, or 4 for CMYK/YCCK).
    /// </summary>
    /// <param name="width">Declared width; need not be a multiple of 8 (the last blocks are cropped).</param>
    /// <param name="height">Declared height.</param>
    /// <param name="components">1, 3 or 4.</param>
    /// <param name="block">The stored sample values of each block.</param>
    /// <param name="adobe">Writes an Adobe APP14 marker with this transform when not null.</param>
    /// <param name="writeScan">False writes only the headers (no scan), for size-limit tests.</param>
    /// <param name="maxBlocks">Stops the scan after this many blocks (a truncated file), for headers that declare huge sizes.</param>
    /// <param name="progressive">Writes a progressive frame (SOF2) whose only scan holds the DC terms (the AC terms stay zero).</param>
    public static byte[] Encode(int width, int height, int components, Func<int, int, byte[]> block, AdobeTransform? adobe = null, bool writeScan = true, int maxBlocks = int.MaxValue, bool progressive = false)
    {
        if (components is not (1 or 3 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(components));
        }

        using var output = new MemoryStream();
        output.Write([0xFF, 0xD8]); // SOI
        if (adobe is { } transform)
        {
            var app14 = new List<byte>(Encoding.ASCII.GetBytes("Adobe")) { 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, (byte)transform };
            Segment(output, 0xEE, [.. app14]);
        }

        var dqt = new byte[65];
        Array.Fill(dqt, (byte)1);
        dqt[0] = 0x00; // 8-bit precision, table 0
        Segment(output, 0xDB, dqt);

        var sof = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)components };
        for (var c = 0; c < components; c++)
        {
            sof.AddRange([(byte)(c + 1), 0x11, 0x00]);
        }

        Segment(output, progressive ? (byte)0xC2 : (byte)0xC0, [.. sof]);

        var dcCounts = new byte[16];
        dcCounts[3] = 12; // twelve 4-bit codes
        var dht = new List<byte> { 0x00 };
        dht.AddRange(dcCounts);
        for (byte s = 0; s < 12; s++)
        {
            dht.Add(s);
        }

        var acCounts = new byte[16];
        acCounts[1] = 2; // two 2-bit codes: 00 = end of block, 01 = unused
        dht.Add(0x10);
        dht.AddRange(acCounts);
        dht.AddRange([0x00, 0x01]);
        Segment(output, 0xC4, [.. dht]);

        if (writeScan)
        {
            var sos = new List<byte> { (byte)components };
            for (var c = 0; c < components; c++)
            {
                sos.AddRange([(byte)(c + 1), 0x00]);
            }

            sos.AddRange(progressive ? [0, 0, 0] : [0, 63, 0]); // spectral selection: DC only, or all 64 coefficients
            Segment(output, 0xDA, [.. sos]);
            WriteScan(output, (width + 7) / 8, (height + 7) / 8, components, block, maxBlocks, endOfBlock: !progressive);
        }

        output.Write([0xFF, 0xD9]); // EOI
        return output.ToArray();
    }

    private static void WriteScan(Stream output, int blocksWide, int blocksHigh, int components, Func<int, int, byte[]> block, int maxBlocks, bool endOfBlock)
    {
        var bits = new BitWriter(output);
        var previous = new int[components];
        var written = 0;
        for (var by = 0; by < blocksHigh && written < maxBlocks; by++)
        {
            for (var bx = 0; bx < blocksWide && written++ < maxBlocks; bx++)
            {
                var samples = block(bx, by);
                for (var c = 0; c < components; c++)
                {
                    var dc = 8 * (samples[c] - 128);
                    var diff = dc - previous[c];
                    previous[c] = dc;
                    var category = 0;
                    for (var magnitude = Math.Abs(diff); magnitude > 0; magnitude >>= 1)
                    {
                        category++;
                    }

                    bits.Write(category, 4);
                    if (category > 0)
                    {
                        bits.Write(diff > 0 ? diff : diff + (1 << category) - 1, category);
                    }

                    if (endOfBlock)
                    {
                        bits.Write(0b00, 2); // end of block
                    }
                }
            }
        }

        bits.Flush();
    }

    private static void Segment(Stream output, byte marker, byte[] payload)
    {
        var length = payload.Length + 2;
        output.Write([0xFF, marker, (byte)(length >> 8), (byte)length]);
        output.Write(payload);
    }

    /// <summary>Packs bits most significant first, stuffing a zero byte after every 0xFF and padding with ones.</summary>
    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0x00);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
