using System;
using System.IO;
using NeuralStyle.Internal;
using NeuralStyle.Weights;
using SkiaSharp;

namespace NeuralStyle.Imaging;

/// <summary>Reads and writes image files (PNG, JPEG, WebP and the other formats Skia decodes).</summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes an image file into an upright RGBA8888, unpremultiplied bitmap at its full size.
    /// </summary>
    /// <param name="path">The image file. Any format Skia decodes: PNG (8 and 16 bit, grayscale, palette, alpha), JPEG (including CMYK), WebP, GIF (first frame), BMP, ICO. Only regular files are read: a FIFO, device or socket is refused before it is opened.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, rotated and mirrored according to the EXIF orientation. Colour profiles are not applied (as in PIL).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ImageLoadException">The file is missing, unreadable or not a regular file, empty, not an image, truncated or corrupt, declares more pixels than <see cref="ImageLoadOptions.MaxPixels"/>, or would need more memory than <see cref="ImageLoadOptions.MaxDecodeBytes"/> or its budget allows.</exception>
    public static SKBitmap Load(string path, ImageLoadOptions? options = null) => LoadForSize(path, null, options);

    /// <summary>
    /// Decodes an image file into an upright RGBA8888, unpremultiplied bitmap no larger than a run needs: its shorter
    /// side is at least <paramref name="shorterSide"/> and less than twice it (the caller's resize makes it exact),
    /// decoded at a reduced scale where the codec can and averaged over whole blocks otherwise, so that memory follows
    /// the size needed rather than the size the file declares.
    /// </summary>
    /// <param name="path">The image file, as for <see cref="Load(string, ImageLoadOptions?)"/>.</param>
    /// <param name="shorterSide">The shorter side the caller will resize to; <see langword="null"/>, or a size not smaller than the image's, decodes it whole.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, upright according to the EXIF orientation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shorterSide"/> is zero or negative.</exception>
    /// <exception cref="ImageLoadException">As for <see cref="Load(string, ImageLoadOptions?)"/>.</exception>
    public static SKBitmap LoadForSize(string path, int? shorterSide, ImageLoadOptions? options = null)
    {
        Guard.NotNullOrWhiteSpace(path);
        RequirePositive(shorterSide);
        switch (RegularFile.Of(path))
        {
            case RegularFile.Kind.Folder:
                throw Fail(path, "it is a folder");
            case RegularFile.Kind.Special:
                throw Fail(path, "it is not a regular file (a FIFO, device or socket); only regular files are read");
        }

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
            return Decode(stream, path, shorterSide, options ?? ImageLoadOptions.Default);
        }
    }

    /// <summary>
    /// Decodes an image from a stream into an upright RGBA8888, unpremultiplied bitmap at its full size.
    /// </summary>
    /// <param name="stream">The encoded image, read from its current position to its end. It is left open. A stream that cannot seek is copied to memory first, up to <see cref="ImageLoadOptions.MaxDecodeBytes"/>.</param>
    /// <param name="sourceName">A name for the image in error messages, such as the file name or URL.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, rotated and mirrored according to the EXIF orientation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="sourceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or <paramref name="sourceName"/> is empty or white space.</exception>
    /// <exception cref="ImageLoadException">The data is empty, not an image, truncated or corrupt, declares more pixels than <see cref="ImageLoadOptions.MaxPixels"/>, would need more memory than <see cref="ImageLoadOptions.MaxDecodeBytes"/> or its budget allows, or reading the stream fails.</exception>
    public static SKBitmap Load(Stream stream, string sourceName, ImageLoadOptions? options = null) => LoadForSize(stream, sourceName, null, options);

    /// <summary>
    /// Decodes an image from a stream at the size a run needs, as <see cref="LoadForSize(string, int?, ImageLoadOptions?)"/> does for a file.
    /// </summary>
    /// <param name="stream">The encoded image, as for <see cref="Load(Stream, string, ImageLoadOptions?)"/>.</param>
    /// <param name="sourceName">A name for the image in error messages, such as the file name or URL.</param>
    /// <param name="shorterSide">The shorter side the caller will resize to; <see langword="null"/> decodes the image whole.</param>
    /// <param name="options">Decoding limits; <see cref="ImageLoadOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>A new bitmap that the caller disposes, upright according to the EXIF orientation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="sourceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or <paramref name="sourceName"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shorterSide"/> is zero or negative.</exception>
    /// <exception cref="ImageLoadException">As for <see cref="Load(Stream, string, ImageLoadOptions?)"/>.</exception>
    public static SKBitmap LoadForSize(Stream stream, string sourceName, int? shorterSide, ImageLoadOptions? options = null)
    {
        Guard.NotNull(stream);
        Guard.NotNullOrWhiteSpace(sourceName);
        RequirePositive(shorterSide);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        return Decode(stream, sourceName, shorterSide, options ?? ImageLoadOptions.Default);
    }

    /// <summary>
    /// Encodes a bitmap by the file extension and writes it atomically: the data goes to a temporary file in the same
    /// folder, which is then moved over <paramref name="path"/>, so no half-written image is ever left at the path.
    /// </summary>
    /// <param name="bitmap">The image; any colour type. For JPEG, translucent pixels are composited over white.</param>
    /// <param name="path">The destination: <c>.png</c> (lossless), <c>.jpg</c>/<c>.jpeg</c> or <c>.webp</c> (lossy), case-insensitive. The folder must exist. An existing file is replaced and keeps its permissions (on Unix; owner and group become the writer's). A symbolic link is written through: the file it finally points to is replaced (or created) and the link stays.</param>
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

        var flattened = format == SKEncodedImageFormat.Jpeg && bitmap.AlphaType != SKAlphaType.Opaque ? PixelOps.FlattenOnWhite(bitmap) : null;
        try
        {
            using var pixmap = (flattened ?? bitmap).PeekPixels();
            IO.OutputFile.Write(path, file =>
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
            });
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

    private static SKBitmap Decode(Stream stream, string name, int? shorterSide, ImageLoadOptions options)
    {
        NativeBackends.EnsureSkia();
        MemoryStream? buffered = null;
        try
        {
            var source = stream;
            if (!stream.CanSeek)
            {
                buffered = ImageDecoding.CopyBounded(stream, name, options);
                source = buffered;
            }

            if (source.Length - source.Position <= 0)
            {
                throw Fail(name, "the file is empty");
            }

            var start = source.Position;
            var header = ImageHeader.ReadFrom(source, start);

            // The codec takes ownership of the Skia stream; the managed stream stays open (disposeManagedStream: false).
            using var codec = SKCodec.Create(new SKManagedStream(source, disposeManagedStream: false), out var createResult)
                ?? throw Fail(name, WhyNoCodec(header, createResult, options));
            return ImageDecoding.Decode(codec, header, name, shorterSide, buffered?.Length ?? 0, options);
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
    // the header read beforehand tells an empty size, an oversized one and a damaged header apart.
    private static string WhyNoCodec(ImageHeader? header, SKCodecResult result, ImageLoadOptions options) => header switch
    {
        { Width: 0 } or { Height: 0 } => $"it declares an empty size {header.Value.Width}x{header.Value.Height}",
        { Width: { } w, Height: { } h } when w * h > options.MaxPixels => ImageDecoding.TooManyPixels(w, h, options),
        _ when result == SKCodecResult.IncompleteInput => "the data is truncated",
        { Format: var format } => $"it starts like a {format} file but its header is corrupt or uses a variant Skia cannot read ({result})",
        null => "it is not an image in a supported format (PNG, JPEG, WebP, GIF, BMP, ICO)",
    };

    private static void RequirePositive(int? shorterSide)
    {
        if (shorterSide is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shorterSide), shorterSide, "The shorter side must be positive.");
        }
    }

    internal static ImageLoadException Fail(string name, string reason, Exception? inner = null)
        => new($"Cannot load image '{name}': {reason}.", name, inner);
}
