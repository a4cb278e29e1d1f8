using System;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>
/// Decodes an image at the size a run needs instead of at full size, and upright, without a second full-size bitmap:
/// the codec decodes at a reduced scale where it can (JPEG by 1/8 steps, WebP at any scale); JPEG rows are then read
/// one at a time, averaged over whole k × k blocks (alpha-weighted) and written straight to their upright place.
/// Formats that Skia decodes only whole (PNG, GIF, BMP; WebP at its scale) are decoded so, then reduced. A final
/// resize (Mitchell cubic, from less than twice the size) makes the result exactly the size the run resizes to.
/// </summary>
internal static class ReducedDecoder
{
    /// <summary>What will be decoded: the codec's size, the block factor, the size returned (upright) and how.</summary>
    /// <param name="Decoded">The size the codec decodes at (stored orientation).</param>
    /// <param name="Factor">The side of the blocks averaged into one output pixel; 1 keeps every pixel.</param>
    /// <param name="Output">The size of the bitmap returned, upright.</param>
    /// <param name="RowByRow">Whether the codec is expected to decode row by row.</param>
    /// <param name="WholeImageBytes">Buffers the decoder keeps for the whole image (see <see cref="ImageHeader.WholeImageBytes"/>).</param>
    /// <param name="Upright">Whether the EXIF orientation is the identity (a whole decode then needs no second bitmap when not reduced).</param>
    /// <param name="Final">The size returned after the final resize: <see cref="ImageTensor.ResizedSize(int, int, int)"/> of the upright image to the shorter side asked for, or <see cref="Output"/>.</param>
    public readonly record struct Plan(SKSizeI Decoded, int Factor, SKSizeI Output, bool RowByRow, long WholeImageBytes, bool Upright, SKSizeI Final)
    {
        // Per pixel of a decoded row: the row itself, the block sums, and the decoder's own row buffers (libjpeg keeps
        // up to two MCU rows of every component, 32 rows at 4:2:0); measured in ImageMemoryTests.
        private const long BytesPerRowPixel = 256;

        // The codec's own state (libjpeg's tables and work areas, Skia's stream buffers) on top of the buffers counted.
        private const long DecoderOverhead = 16L * 1024 * 1024;

        /// <summary>The bytes of the bitmap returned.</summary>
        public long FinalBytes => 4L * Final.Width * Final.Height;

        /// <summary>Whether the reduced bitmap is resized once more.</summary>
        public bool Resizes => Final != Output;

        /// <summary>The estimated peak of the decode, the returned bitmap included.</summary>
        public long PeakBytes => DecoderOverhead + WholeImageBytes + (4L * Output.Width * Output.Height) + (Resizes ? FinalBytes : 0) + (RowByRow
            ? BytesPerRowPixel * Decoded.Width
            : Factor == 1 && Upright ? 0 : 4L * Decoded.Width * Decoded.Height);

        /// <summary>The same plan for a codec that turned out to decode only whole images.</summary>
        public Plan Whole() => this with { RowByRow = false };
    }

    /// <summary>
    /// Plans the decode of <paramref name="codec"/>'s image so that its shorter side is at least
    /// <paramref name="shorterSide"/> (all of it when <see langword="null"/> or not smaller than the image).
    /// </summary>
    public static Plan PlanFor(SKCodec codec, SKEncodedOrigin origin, int? shorterSide, long wholeImageBytes)
    {
        var full = new SKSizeI(codec.Info.Width, codec.Info.Height);
        var shorter = Math.Min(full.Width, full.Height);
        var decoded = full;
        var factor = 1;
        if (shorterSide is { } side && side < shorter)
        {
            // The codec's scales are coarse (JPEG's are eighths, rounded to the nearest): take the first one not below the target.
            for (var scale = (float)side / shorter; scale < 1; scale += 1f / 32)
            {
                var candidate = codec.GetScaledDimensions(scale);
                if (Math.Min(candidate.Width, candidate.Height) >= side)
                {
                    decoded = candidate;
                    break;
                }
            }

            factor = Math.Max(1, Math.Min(decoded.Width, decoded.Height) / side);
        }

        int storedW = Ceiling(decoded.Width, factor), storedH = Ceiling(decoded.Height, factor);
        var output = Swaps(origin) ? new SKSizeI(storedH, storedW) : new SKSizeI(storedW, storedH);
        // Skia 119 reads only JPEG row by row (PNG and WebP answer "unimplemented"); the rest is decoded whole.
        var rowByRow = codec.EncodedFormat is SKEncodedImageFormat.Jpeg;
        var upright = Swaps(origin) ? new SKSizeI(full.Height, full.Width) : full;
        var final = shorterSide is { } target && target < shorter ? ImageTensor.ResizedSize(upright.Width, upright.Height, target) : output;
        return new Plan(decoded, factor, output, rowByRow, wholeImageBytes, Upright: !Swaps(origin) && origin is not (SKEncodedOrigin.TopRight or SKEncodedOrigin.BottomRight or SKEncodedOrigin.BottomLeft), final);
    }

    /// <summary>Starts a row-by-row decode; false when the codec cannot (the caller then decodes whole and uses <see cref="FromWhole"/>).</summary>
    public static bool TryStartRows(SKCodec codec, Plan plan) => codec.StartScanlineDecode(PixelOps.RgbaInfo(plan.Decoded.Width, plan.Decoded.Height)) == SKCodecResult.Success;

    /// <summary>Reads the rows of a decode started by <see cref="TryStartRows"/> into a new upright bitmap.</summary>
    /// <returns>The bitmap, or <see langword="null"/> when the data ended early (truncated or corrupt).</returns>
    public static SKBitmap? DecodeRows(SKCodec codec, Plan plan, SKEncodedOrigin origin, Func<int, int, SKBitmap> allocate)
    {
        var output = allocate(plan.Output.Width, plan.Output.Height);
        try
        {
            using var row = new SKBitmap(PixelOps.RgbaInfo(plan.Decoded.Width, 1));
            var reducer = new BlockReducer(plan, origin, output);
            for (var i = 0; i < plan.Decoded.Height; i++)
            {
                var y = codec.NextScanline;
                if (codec.GetScanlines(row.GetPixels(), 1, row.RowBytes) != 1)
                {
                    output.Dispose();
                    return null;
                }

                reducer.Add(y, MemoryMarshal.Cast<byte, uint>(row.GetPixelSpan()));
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Reduces and turns upright a bitmap the codec decoded whole at <see cref="Plan.Decoded"/>.</summary>
    /// <returns><paramref name="decoded"/> itself when nothing is to be done, otherwise a new bitmap (the input is not disposed).</returns>
    public static SKBitmap FromWhole(SKBitmap decoded, Plan plan, SKEncodedOrigin origin, Func<int, int, SKBitmap> allocate)
    {
        if (plan.Factor == 1)
        {
            return PixelOps.ApplyOrigin(decoded, origin);
        }

        var output = allocate(plan.Output.Width, plan.Output.Height);
        var reducer = new BlockReducer(plan, origin, output);
        var pixels = MemoryMarshal.Cast<byte, uint>(decoded.GetPixelSpan());
        for (var y = 0; y < plan.Decoded.Height; y++)
        {
            reducer.Add(y, pixels.Slice(y * plan.Decoded.Width, plan.Decoded.Width));
        }

        return output;
    }

    /// <summary>Resizes the reduced bitmap to <see cref="Plan.Final"/>; returns it unchanged when no resize is planned.</summary>
    /// <returns><paramref name="reduced"/> itself or a new bitmap (the input is not disposed).</returns>
    public static SKBitmap ToFinal(SKBitmap reduced, Plan plan, Func<int, int, SKBitmap> allocate)
    {
        if (!plan.Resizes)
        {
            return reduced;
        }

        var final = allocate(plan.Final.Width, plan.Final.Height);
        using (var source = reduced.PeekPixels())
        using (var target = final.PeekPixels())
        {
            source.ScalePixels(target, new SKSamplingOptions(SKCubicResampler.Mitchell));
        }

        return final;
    }

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    private static bool Swaps(SKEncodedOrigin origin) => origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Averages k × k blocks of RGBA rows (colour weighted by alpha) and writes each result at its upright place.</summary>
    private sealed class BlockReducer
    {
        private readonly int _factor, _width, _height, _storedW, _storedH;
        private readonly SKEncodedOrigin _origin;
        private readonly SKBitmap _output;
        private readonly long[] _r, _g, _b, _a;
        private readonly uint[] _reduced;
        private int _rowsInBlock;

        public BlockReducer(Plan plan, SKEncodedOrigin origin, SKBitmap output)
        {
            (_factor, _width, _height, _origin, _output) = (plan.Factor, plan.Decoded.Width, plan.Decoded.Height, origin, output);
            _storedW = Ceiling(_width, _factor);
            _storedH = Ceiling(_height, _factor);
            (_r, _g, _b, _a) = (new long[_storedW], new long[_storedW], new long[_storedW], new long[_storedW]);
            _reduced = new uint[_storedW];
        }

        /// <summary>Adds decoded row <paramref name="y"/>; rows come top-down or bottom-up, one block at a time.</summary>
        public void Add(int y, ReadOnlySpan<uint> row)
        {
            if (_factor == 1)
            {
                Place(y, row);
                return;
            }

            for (var x = 0; x < _width; x++)
            {
                uint p = row[x], a = p >> 24;
                var o = x / _factor;
                _a[o] += a;
                _r[o] += (p & 0xFF) * a;
                _g[o] += ((p >> 8) & 0xFF) * a;
                _b[o] += ((p >> 16) & 0xFF) * a;
            }

            var block = y / _factor;
            if (++_rowsInBlock < Math.Min(_factor, _height - (block * _factor)))
            {
                return;
            }

            for (var o = 0; o < _storedW; o++)
            {
                long n = (long)Math.Min(_factor, _width - (o * _factor)) * _rowsInBlock, a = _a[o];
                _reduced[o] = a == 0 ? 0u : (uint)(((_r[o] + (a / 2)) / a) | (((_g[o] + (a / 2)) / a) << 8) | (((_b[o] + (a / 2)) / a) << 16) | (((a + (n / 2)) / n) << 24));
            }

            Array.Clear(_r);
            Array.Clear(_g);
            Array.Clear(_b);
            Array.Clear(_a);
            _rowsInBlock = 0;
            Place(block, _reduced);
        }

        // Writes stored row sy (of the reduced image, _storedW × _storedH) to where the EXIF orientation shows it.
        private void Place(int sy, ReadOnlySpan<uint> row)
        {
            int w = _storedW, h = _storedH;
            var (start, step) = _origin switch
            {
                SKEncodedOrigin.TopRight => ((sy * w) + w - 1, -1),
                SKEncodedOrigin.BottomRight => (((h - 1 - sy) * w) + w - 1, -1),
                SKEncodedOrigin.BottomLeft => ((h - 1 - sy) * w, 1),
                SKEncodedOrigin.LeftTop => (sy, h),
                SKEncodedOrigin.RightTop => (h - 1 - sy, h),
                SKEncodedOrigin.RightBottom => (h - 1 - sy + ((w - 1) * h), -h),
                SKEncodedOrigin.LeftBottom => (sy + ((w - 1) * h), -h),
                _ => (sy * w, 1),
            };
            var destination = MemoryMarshal.Cast<byte, uint>(_output.GetPixelSpan());
            for (int x = 0, d = start; x < w; x++, d += step)
            {
                destination[d] = row[x];
            }
        }
    }
}
