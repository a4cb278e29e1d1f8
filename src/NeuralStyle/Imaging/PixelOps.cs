using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>Pixel-level helpers shared by <see cref="ImageFile"/> and <see cref="ImageTensor"/>.</summary>
internal static class PixelOps
{
    /// <summary>The image info of an RGBA8888, unpremultiplied bitmap without a colour space.</summary>
    public static SKImageInfo RgbaInfo(int width, int height) => new(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);

    /// <summary>Throws when a bitmap has no pixels to read.</summary>
    public static void RequirePixels(SKBitmap bitmap, string? name)
    {
        if (bitmap.Width <= 0 || bitmap.Height <= 0 || bitmap.GetPixels() == IntPtr.Zero)
        {
            throw new ArgumentException("The bitmap has no pixels.", name);
        }
    }

    /// <summary>
    /// Returns <paramref name="bitmap"/> itself when it already holds RGBA8888 with unpremultiplied or opaque alpha,
    /// otherwise a converted copy (any colour type and alpha type Skia can read) that the caller disposes.
    /// </summary>
    public static SKBitmap AsRgba(SKBitmap bitmap, out bool isCopy)
    {
        if (bitmap.ColorType == SKColorType.Rgba8888 && bitmap.AlphaType is SKAlphaType.Unpremul or SKAlphaType.Opaque)
        {
            isCopy = false;
            return bitmap;
        }

        var info = RgbaInfo(bitmap.Width, bitmap.Height);
        var copy = new SKBitmap();
        try
        {
            if (!copy.TryAllocPixels(info))
            {
                throw new InvalidOperationException($"Cannot allocate a {bitmap.Width}x{bitmap.Height} RGBA bitmap.");
            }

            using var source = bitmap.PeekPixels();
            if (source is null || !source.ReadPixels(info, copy.GetPixels(), copy.RowBytes))
            {
                throw new ArgumentException($"Cannot convert a bitmap of colour type {bitmap.ColorType} ({bitmap.AlphaType}) to RGBA8888.", nameof(bitmap));
            }

            isCopy = true;
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>Composites one unpremultiplied 8-bit channel value over white and rounds to the nearest 8-bit value.</summary>
    public static byte OverWhite(byte value, byte alpha) => (byte)(((value * alpha) + (255 * (255 - alpha)) + 127) / 255);

    /// <summary>
    /// Reads an RGBA8888 (unpremultiplied or opaque) bitmap into planar R, G, B bytes (CHW order), compositing
    /// translucent pixels over white. Honours the bitmap's row stride.
    /// </summary>
    // A per-pixel loop that runs once per image: compiled optimised at once, not first as unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] ToPlanarRgb(SKBitmap rgba)
    {
        int width = rgba.Width, height = rgba.Height, rowBytes = rgba.RowBytes;
        int plane = width * height;
        bool opaque = rgba.AlphaType == SKAlphaType.Opaque;
        var planes = new byte[3 * plane];
        ReadOnlySpan<byte> pixels = rgba.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * rowBytes, width * 4);
            int o = y * width;
            for (int x = 0; x < width; x++, o++)
            {
                int p = x * 4;
                byte a = opaque ? (byte)255 : row[p + 3];
                if (a == 255)
                {
                    planes[o] = row[p];
                    planes[plane + o] = row[p + 1];
                    planes[(2 * plane) + o] = row[p + 2];
                }
                else
                {
                    planes[o] = OverWhite(row[p], a);
                    planes[plane + o] = OverWhite(row[p + 1], a);
                    planes[(2 * plane) + o] = OverWhite(row[p + 2], a);
                }
            }
        }

        return planes;
    }

    /// <summary>Returns an opaque RGBA8888 copy of any bitmap, translucent pixels composited over white.</summary>
    // A per-pixel loop that runs once per image: compiled optimised at once, not first as unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SKBitmap FlattenOnWhite(SKBitmap bitmap)
    {
        var rgba = AsRgba(bitmap, out bool isCopy);
        try
        {
            var planes = ToPlanarRgb(rgba);
            int plane = rgba.Width * rgba.Height;
            var result = new SKBitmap(new SKImageInfo(rgba.Width, rgba.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var dst = result.GetPixelSpan();
            for (int i = 0, p = 0; i < plane; i++, p += 4)
            {
                dst[p] = planes[i];
                dst[p + 1] = planes[plane + i];
                dst[p + 2] = planes[(2 * plane) + i];
                dst[p + 3] = 255;
            }

            return result;
        }
        finally
        {
            if (isCopy)
            {
                rgba.Dispose();
            }
        }
    }

    /// <summary>
    /// Applies an EXIF orientation to a tightly packed RGBA8888 bitmap so that the result is upright.
    /// Returns the bitmap itself for <see cref="SKEncodedOrigin.TopLeft"/>, otherwise a new bitmap (the input is not disposed).
    /// </summary>
    /// <remarks>
    /// The transform is an exact pixel permutation done here rather than through <see cref="SKCanvas"/>, so that
    /// unpremultiplied colours of translucent pixels are not rounded through premultiplication.
    /// </remarks>
    // A per-pixel loop that runs once per image: compiled optimised at once, not first as unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SKBitmap ApplyOrigin(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft || (int)origin < 1 || (int)origin > 8)
        {
            return source;
        }

        int w = source.Width, h = source.Height;
        bool swap = origin >= SKEncodedOrigin.LeftTop;
        int outW = swap ? h : w, outH = swap ? w : h;
        var result = new SKBitmap(new SKImageInfo(outW, outH, source.ColorType, source.AlphaType));
        // The stored pixel displayed at (x, y) has index start + x * stepX + y * stepY.
        int last = ((h - 1) * w) + (w - 1);
        var (start, stepX, stepY) = origin switch
        {
            SKEncodedOrigin.TopRight => (w - 1, -1, w),          // 2: mirror horizontally
            SKEncodedOrigin.BottomRight => (last, -1, -w),       // 3: rotate 180°
            SKEncodedOrigin.BottomLeft => ((h - 1) * w, 1, -w),  // 4: mirror vertically
            SKEncodedOrigin.LeftTop => (0, w, 1),                // 5: transpose
            SKEncodedOrigin.RightTop => ((h - 1) * w, -w, 1),    // 6: rotate 90° clockwise
            SKEncodedOrigin.RightBottom => (last, -w, -1),       // 7: transverse
            _ => (w - 1, w, -1),                                 // 8: rotate 90° counter-clockwise
        };
        ReadOnlySpan<uint> src = MemoryMarshal.Cast<byte, uint>(source.GetPixelSpan());
        Span<uint> dst = MemoryMarshal.Cast<byte, uint>(result.GetPixelSpan());
        for (int y = 0, o = 0; y < outH; y++)
        {
            int s = start + (y * stepY);
            for (int x = 0; x < outW; x++, o++, s += stepX)
            {
                dst[o] = src[s];
            }
        }

        return result;
    }
}
