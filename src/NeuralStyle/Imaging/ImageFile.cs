using System;
using System.IO;
using NeuralStyle.Internal;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>Reads and writes image files (PNG, JPEG, WebP and the other formats Skia decodes).</summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes an image file into an upright RGBA8888, unpremultiplied bitmap.
    /// </summary>
    /// <param name="path">The image file. Any format Skia decodes: PNG (8 and 16 bit, grayscale, palette, alpha), JPEG (including CMYK), WebP, GIF (first frame), BMP, ICO.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, rotated and mirrored according to the EXIF orientation. Colour profiles are not applied (as in PIL).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ImageLoadException">The file is missing or unreadable, empty, not an image, truncated or corrupt, or declares more pixels than <see cref="ImageLoadOptions.MaxPixels"/>.</exception>
    public static SKBitmap Load(string path, ImageLoadOptions? options = null)
    {
        Guard.NotNullOrWhiteSpace(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            var reason = ex switch
            {
                FileNotFoundException => "the file does not exist",
                DirectoryNotFoundException => "its folder does not exist",
                UnauthorizedAccessException => "access is denied (or the path is a folder)",
                _ => ex.Message,
            };
            throw Fail(path, reason, ex);
        }

        using (stream)
        {
            return Decode(stream, path, options ?? ImageLoadOptions.Default);
        }
    }

    /// <summary>
    /// Decodes an image from a stream into an upright RGBA8888, unpremultiplied bitmap.
    /// </summary>
    /// <param name="stream">The encoded image, read from its current position to its end. It is left open. A stream that cannot seek is buffered in memory first.</param>
    /// <param name="sourceName">A name for the image in error messages, such as the file name or URL.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, rotated and mirrored according to the EXIF orientation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="sourceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or <paramref name="sourceName"/> is empty or white space.</exception>
    /// <exception cref="ImageLoadException">The data is empty, not an image, truncated or corrupt, declares more pixels than <see cref="ImageLoadOptions.MaxPixels"/>, or reading the stream fails.</exception>
    public static SKBitmap Load(Stream stream, string sourceName, ImageLoadOptions? options = null)
    {
        Guard.NotNull(stream);
        Guard.NotNullOrWhiteSpace(sourceName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        return Decode(stream, sourceName, options ?? ImageLoadOptions.Default);
    }

    /// <summary>
    /// Encodes a bitmap by the file extension and writes it atomically: the data goes to a temporary file in the same
    /// folder, which is then moved over <paramref name="path"/>, so no half-written image is ever left at the path.
    /// </summary>
    /// <param name="bitmap">The image; any colour type. For JPEG, translucent pixels are composited over white.</param>
    /// <param name="path">The destination: <c>.png</c> (lossless), <c>.jpg</c>/<c>.jpeg</c> or <c>.webp</c> (lossy), case-insensitive. An existing file is replaced; the folder must exist.</param>
    /// <param name="jpegQuality">The quality of JPEG and WebP encoding, 1 (smallest) to 100 (best); ignored for PNG.</param>
    /// <exception cref="ArgumentNullException"><paramref name="bitmap"/> or <paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The extension is not one of the supported ones, <paramref name="path"/> is empty, or the bitmap has no pixels. Nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="jpegQuality"/> is outside 1 to 100.</exception>
    /// <exception cref="IOException">The file cannot be written (for example the folder does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to the folder is not allowed.</exception>
    /// <exception cref="NeuralStyleException">Skia could not encode the bitmap.</exception>
    public static void Save(SKBitmap bitmap, string path, int jpegQuality = 95)
    {
        Guard.NotNull(bitmap);
        Guard.NotNullOrWhiteSpace(path);
        NativeBackends.EnsureSkia();
        if (jpegQuality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(jpegQuality), jpegQuality, "Quality must be between 1 and 100.");
        }

        var format = FormatOf(path);
        PixelOps.RequirePixels(bitmap, nameof(bitmap));

        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        var temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

        var flattened = format == SKEncodedImageFormat.Jpeg && bitmap.AlphaType != SKAlphaType.Opaque ? PixelOps.FlattenOnWhite(bitmap) : null;
        try
        {
            using (var pixmap = (flattened ?? bitmap).PeekPixels())
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                bool encoded = format switch
                {
                    SKEncodedImageFormat.Png => pixmap.Encode(file, SKPngEncoderOptions.Default),
                    SKEncodedImageFormat.Jpeg => pixmap.Encode(file, new SKJpegEncoderOptions(jpegQuality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
                    _ => pixmap.Encode(file, new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, jpegQuality)),
                };
                if (!encoded)
                {
                    throw new NeuralStyleException($"Cannot encode a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap as {format} for '{path}'.");
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            flattened?.Dispose();
        }
    }

    private static SKEncodedImageFormat FormatOf(string path)
    {
        var extension = Path.GetExtension(path).ToUpperInvariant();
        return extension switch
        {
            ".PNG" => SKEncodedImageFormat.Png,
            ".JPG" or ".JPEG" => SKEncodedImageFormat.Jpeg,
            ".WEBP" => SKEncodedImageFormat.Webp,
            _ => throw new ArgumentException(
                $"Cannot tell the image format of '{path}' from its extension '{extension.ToLowerInvariant()}'; use .png, .jpg, .jpeg or .webp.",
                nameof(path)),
        };
    }

    private static SKBitmap Decode(Stream stream, string name, ImageLoadOptions options)
    {
        NativeBackends.EnsureSkia();
        MemoryStream? buffered = null;
        try
        {
            var source = stream;
            if (!stream.CanSeek)
            {
                buffered = new MemoryStream();
                stream.CopyTo(buffered);
                buffered.Position = 0;
                source = buffered;
            }

            if (source.Length - source.Position <= 0)
            {
                throw Fail(name, "the file is empty");
            }

            // The codec takes ownership of the Skia stream; the managed stream stays open (disposeManagedStream: false).
            var start = source.Position;
            using var codec = SKCodec.Create(new SKManagedStream(source, disposeManagedStream: false), out var createResult)
                ?? throw Fail(name, WhyNoCodec(source, start, createResult, options));
            return DecodePixels(codec, name, options);
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw Fail(name, $"reading failed: {ex.Message}", ex);
        }
        finally
        {
            buffered?.Dispose();
        }
    }

    // Skia says little when it cannot even read a header (a PNG declaring width 0 comes back as "incomplete input"), so
    // the first bytes are looked at once more to tell an empty size, an oversized one and a damaged header apart.
    private static string WhyNoCodec(Stream source, long start, SKCodecResult result, ImageLoadOptions options)
    {
        ImageHeader? header = null;
        try
        {
            source.Position = start;
            var head = new byte[(int)Math.Min(ImageHeader.MaxBytes, source.Length - start)];
            source.ReadExactly(head);
            header = ImageHeader.Read(head);
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ObjectDisposedException)
        {
            // Fall back to Skia's verdict.
        }

        return header switch
        {
            { Width: 0 } or { Height: 0 } => $"it declares an empty size {header.Value.Width}x{header.Value.Height}",
            { Width: { } w, Height: { } h } when w * h > options.MaxPixels
                => $"its size {w}x{h} ({w * h:N0} pixels) exceeds the limit of {options.MaxPixels:N0} pixels",
            _ when result == SKCodecResult.IncompleteInput => "the data is truncated",
            { Format: var format } => $"it starts like a {format} file but its header is corrupt or uses a variant Skia cannot read ({result})",
            null => "it is not an image in a supported format (PNG, JPEG, WebP, GIF, BMP, ICO)",
        };
    }

    private static SKBitmap DecodePixels(SKCodec codec, string name, ImageLoadOptions options)
    {
        var header = codec.Info;
        if (header.Width <= 0 || header.Height <= 0)
        {
            throw Fail(name, $"it declares an empty size {header.Width}x{header.Height}");
        }

        long pixels = (long)header.Width * header.Height;
        if (pixels > options.MaxPixels)
        {
            throw Fail(name, $"its size {header.Width}x{header.Height} ({pixels:N0} pixels) exceeds the limit of {options.MaxPixels:N0} pixels");
        }

        var info = PixelOps.RgbaInfo(header.Width, header.Height);
        var bitmap = new SKBitmap();
        try
        {
            if (!bitmap.TryAllocPixels(info))
            {
                throw Fail(name, $"cannot allocate memory for {header.Width}x{header.Height} pixels");
            }

            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
            {
                throw Fail(name, result switch
                {
                    SKCodecResult.IncompleteInput => "the data is truncated",
                    SKCodecResult.ErrorInInput => "the data is corrupt",
                    SKCodecResult.InvalidInput => "the data is corrupt or truncated",
                    SKCodecResult.InvalidConversion => $"its pixels ({codec.EncodedFormat}) cannot be converted to RGBA",
                    _ => $"decoding failed ({result})",
                });
            }

            var upright = PixelOps.ApplyOrigin(bitmap, codec.EncodedOrigin);
            if (!ReferenceEquals(upright, bitmap))
            {
                bitmap.Dispose();
            }

            return upright;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static ImageLoadException Fail(string name, string reason, Exception? inner = null)
        => new($"Cannot load image '{name}': {reason}.", name, inner);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original exception matters more.
        }
    }
}
