using System;
using System.Globalization;
using System.IO;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>
/// The decode behind <see cref="ImageFile"/>'s loads: checks the declared size, estimates the peak memory from the
/// header before anything is allocated, holds it against <see cref="ImageLoadOptions.MaxDecodeBytes"/> and the run's
/// <see cref="ImageMemoryBudget"/>, then decodes through <see cref="ReducedDecoder"/>.
/// </summary>
internal static class ImageDecoding
{
    /// <summary>Copies a stream that cannot seek into memory, refusing it once it exceeds what a decode may hold.</summary>
    public static MemoryStream CopyBounded(Stream stream, string name, ImageLoadOptions options)
    {
        var limit = Math.Min(options.MaxDecodeBytes, options.Budget is { } budget ? budget.Bytes - budget.ReservedBytes : long.MaxValue);
        var buffered = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffered.Length + read > limit)
            {
                buffered.Dispose();
                throw ImageFile.Fail(name, Invariant($"the stream holds more than {Mib(limit)} MiB, the most its decode may use (ImageLoadOptions.MaxDecodeBytes, or what is left of ImageLoadOptions.Budget)"));
            }

            buffered.Write(chunk, 0, read);
        }

        buffered.Position = 0;
        return buffered;
    }

    /// <summary>The message for an image that declares more than <see cref="ImageLoadOptions.MaxPixels"/>.</summary>
    public static string TooManyPixels(long width, long height, ImageLoadOptions options)
        => Invariant($"its size {width}x{height} ({width * height:N0} pixels) exceeds the limit of {options.MaxPixels:N0} pixels");

    /// <summary>Decodes the codec's image at (at least) <paramref name="shorterSide"/>, within the memory limits.</summary>
    /// <param name="codec">The codec, created over the encoded data.</param>
    /// <param name="header">The header read beforehand, for the decoder's whole-image buffers.</param>
    /// <param name="name">The image's name for messages.</param>
    /// <param name="shorterSide">The shorter side the caller needs, or <see langword="null"/> for the whole image.</param>
    /// <param name="encodedBytes">Bytes of encoded data held in memory for this decode (a buffered stream).</param>
    /// <param name="options">The limits.</param>
    public static SKBitmap Decode(SKCodec codec, ImageHeader? header, string name, int? shorterSide, long encodedBytes, ImageLoadOptions options)
    {
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw ImageFile.Fail(name, $"it declares an empty size {info.Width}x{info.Height}");
        }

        if ((long)info.Width * info.Height > options.MaxPixels)
        {
            throw ImageFile.Fail(name, TooManyPixels(info.Width, info.Height, options));
        }

        // A JPEG whose frame header could not be read is assumed progressive with four unsubsampled components.
        var wholeImageBytes = header?.WholeImageBytes ?? (codec.EncodedFormat == SKEncodedImageFormat.Jpeg ? 8L * info.Width * info.Height : 0);
        var origin = codec.EncodedOrigin;
        var plan = ReducedDecoder.PlanFor(codec, origin, shorterSide, wholeImageBytes);
        var reserved = 0L;
        try
        {
            Reserve(ref reserved, plan.PeakBytes + encodedBytes, name, options);
            SKBitmap? bitmap;
            if (plan.RowByRow && ReducedDecoder.TryStartRows(codec, plan))
            {
                bitmap = ReducedDecoder.DecodeRows(codec, plan, origin, (w, h) => Allocate(w, h, name))
                    ?? throw ImageFile.Fail(name, "the data is truncated or corrupt");
            }
            else
            {
                plan = plan.Whole();
                Reserve(ref reserved, plan.PeakBytes + encodedBytes, name, options);
                bitmap = DecodeWhole(codec, plan, origin, name);
            }

            var final = bitmap;
            if (plan.Resizes)
            {
                using (bitmap)
                {
                    final = ReducedDecoder.ToFinal(bitmap, plan, (w, h) => Allocate(w, h, name));
                }
            }

            options.Budget?.Release(reserved - plan.FinalBytes);
            reserved = 0;
            return final;
        }
        finally
        {
            options.Budget?.Release(reserved);
        }
    }

    // Raises the reservation to `peak` (it only grows), checking the per-image limit and the run's budget.
    private static void Reserve(ref long reserved, long peak, string name, ImageLoadOptions options)
    {
        if (peak > options.MaxDecodeBytes)
        {
            throw ImageFile.Fail(name, Invariant($"decoding it would need about {Mib(peak)} MiB, more than ImageLoadOptions.MaxDecodeBytes ({Mib(options.MaxDecodeBytes)} MiB); decode it at a smaller size or raise the limit"));
        }

        if (peak > reserved && options.Budget is { } budget)
        {
            if (!budget.TryReserve(peak - reserved))
            {
                throw ImageFile.Fail(name, Invariant($"decoding it would need about {Mib(peak)} MiB, more than the {budget.LeftMiB()} MiB left of the run's {Mib(budget.Bytes)} MiB image budget (ImageLoadOptions.Budget)"));
            }

            reserved = peak;
        }
    }

    private static SKBitmap DecodeWhole(SKCodec codec, ReducedDecoder.Plan plan, SKEncodedOrigin origin, string name)
    {
        var decoded = Allocate(plan.Decoded.Width, plan.Decoded.Height, name);
        try
        {
            var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
            if (result != SKCodecResult.Success)
            {
                throw ImageFile.Fail(name, result switch
                {
                    SKCodecResult.IncompleteInput => "the data is truncated",
                    SKCodecResult.ErrorInInput => "the data is corrupt",
                    SKCodecResult.InvalidInput => "the data is corrupt or truncated",
                    SKCodecResult.InvalidConversion => $"its pixels ({codec.EncodedFormat}) cannot be converted to RGBA",
                    _ => $"decoding failed ({result})",
                });
            }

            var output = ReducedDecoder.FromWhole(decoded, plan, origin, (w, h) => Allocate(w, h, name));
            if (!ReferenceEquals(output, decoded))
            {
                decoded.Dispose();
            }

            return output;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    private static SKBitmap Allocate(int width, int height, string name)
    {
        var bitmap = new SKBitmap();
        if (!bitmap.TryAllocPixels(PixelOps.RgbaInfo(width, height)))
        {
            bitmap.Dispose();
            throw ImageFile.Fail(name, $"cannot allocate memory for {width}x{height} pixels");
        }

        return bitmap;
    }

    private static string Mib(long bytes) => ImageMemoryBudget.Mib(bytes);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
