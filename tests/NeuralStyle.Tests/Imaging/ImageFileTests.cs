using System;
using System.IO;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Imaging;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

public sealed class ImageFileTests : IDisposable
{
    private static readonly SKColor Red = new(255, 0, 0);
    private static readonly SKColor Green = new(0, 255, 0);
    private static readonly SKColor Blue = new(0, 0, 255);
    private static readonly SKColor Gray = new(128, 128, 128);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public enum Corner
    {
        TopLeft,
        TopRight,
        BottomLeft,
        BottomRight,
    }

    // Stored image: 48 wide, 32 high; red block at the stored top-left corner, green at the stored top-right.
    // The expected corners follow the EXIF specification's meaning of each orientation value.
    [Theory]
    [InlineData(1, Corner.TopLeft, Corner.TopRight)]
    [InlineData(2, Corner.TopRight, Corner.TopLeft)]
    [InlineData(3, Corner.BottomRight, Corner.BottomLeft)]
    [InlineData(4, Corner.BottomLeft, Corner.BottomRight)]
    [InlineData(5, Corner.TopLeft, Corner.BottomLeft)]
    [InlineData(6, Corner.TopRight, Corner.BottomRight)]
    [InlineData(7, Corner.BottomRight, Corner.TopRight)]
    [InlineData(8, Corner.BottomLeft, Corner.TopLeft)]
    public void Exif_orientation_is_applied(int orientation, Corner redEndsAt, Corner greenEndsAt)
    {
        using var stored = TestImages.Create(48, 32, (x, y) => (x, y) switch
        {
            ( < 16, < 16) => Red,
            ( >= 32, < 16) => Green,
            ( < 16, >= 16) => Blue,
            _ => Gray,
        });
        var jpeg = TestImages.WithExifOrientation(TestImages.Encode(stored, SKEncodedImageFormat.Jpeg, 95), (ushort)orientation);
        var path = _temp.File($"orientation-{orientation}.jpg");
        File.WriteAllBytes(path, jpeg);

        using var upright = ImageFile.Load(path);

        bool swapped = orientation >= 5;
        upright.Width.Should().Be(swapped ? 32 : 48);
        upright.Height.Should().Be(swapped ? 48 : 32);
        upright.ColorType.Should().Be(SKColorType.Rgba8888);
        upright.AlphaType.Should().Be(SKAlphaType.Unpremul);
        ShouldBeClose(CornerPixel(upright, redEndsAt), Red);
        ShouldBeClose(CornerPixel(upright, greenEndsAt), Green);
    }

    [Fact]
    public void Sixteen_bit_png_decodes()
    {
        ushort[] samples =
        [
            0xFFFF, 0x0000, 0x0000, 0x0000, 0xFFFF, 0x0000,
            0x8080, 0x1234, 0xFEFE, 0x0000, 0x0000, 0xFFFF,
        ];
        var path = _temp.File("deep.png");
        File.WriteAllBytes(path, TestImages.Png16Rgb(2, 2, samples));

        using var bitmap = ImageFile.Load(path);

        bitmap.Width.Should().Be(2);
        bitmap.Height.Should().Be(2);
        ShouldBeClose(TestImages.Pixel(bitmap, 0, 0), Red, 0);
        ShouldBeClose(TestImages.Pixel(bitmap, 1, 0), Green, 0);
        ShouldBeClose(TestImages.Pixel(bitmap, 0, 1), new SKColor(0x80, 0x12, 0xFE), 1);
        ShouldBeClose(TestImages.Pixel(bitmap, 1, 1), Blue, 0);
    }

    [Fact]
    public void Grayscale_and_alpha_pngs_decode_to_unpremultiplied_rgba()
    {
        using var gray = new SKBitmap(new SKImageInfo(3, 1, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.GetPixelSpan()[1] = 77;
        var grayPath = _temp.File("gray.png");
        File.WriteAllBytes(grayPath, TestImages.Encode(gray, SKEncodedImageFormat.Png));

        using var translucent = TestImages.Create(2, 1, (x, _) => x == 0 ? new SKColor(200, 100, 50, 0) : new SKColor(200, 100, 50, 60));
        var alphaPath = _temp.File("alpha.png");
        File.WriteAllBytes(alphaPath, TestImages.Encode(translucent, SKEncodedImageFormat.Png));

        using var grayLoaded = ImageFile.Load(grayPath);
        using var alphaLoaded = ImageFile.Load(alphaPath);

        TestImages.Pixel(grayLoaded, 1, 0).Should().Be(new SKColor(77, 77, 77, 255));
        TestImages.Pixel(alphaLoaded, 1, 0).Should().Be(new SKColor(200, 100, 50, 60), "unpremultiplied colour is kept exactly");
        TestImages.Pixel(alphaLoaded, 0, 0).Alpha.Should().Be(0);
    }

    [Fact]
    public void A_text_file_is_rejected_naming_the_file()
    {
        var path = _temp.File("notes.png");
        File.WriteAllText(path, "This is not an image, whatever its name says.\n");
        ShouldFailToLoad(path, "not an image");
    }

    [Fact]
    public void An_empty_file_is_rejected()
    {
        var path = _temp.File("empty.jpg");
        File.WriteAllBytes(path, []);
        ShouldFailToLoad(path, "empty");
    }

    [Fact]
    public void A_missing_file_is_rejected()
    {
        var path = _temp.File("missing.png");
        ShouldFailToLoad(path, "does not exist").WithInnerException<FileNotFoundException>();
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "jpg")]
    public void A_truncated_file_is_rejected(SKEncodedImageFormat format, string extension)
    {
        using var noise = TestImages.Noise(64, 64);
        var bytes = TestImages.Encode(noise, format, 90);
        var path = _temp.File("cut." + extension);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        ShouldFailToLoad(path, "truncated");
    }

    [Fact]
    public void A_corrupt_file_is_rejected()
    {
        using var noise = TestImages.Noise(32, 32);
        var bytes = TestImages.Encode(noise, SKEncodedImageFormat.Png);
        for (int i = bytes.Length / 3; i < bytes.Length / 2; i++)
        {
            bytes[i] ^= 0x5A; // garbles the compressed pixel data (and breaks the chunk's CRC)
        }

        var path = _temp.File("corrupt.png");
        File.WriteAllBytes(path, bytes);
        ShouldFailToLoad(path, "Cannot load image");
    }

    [Fact]
    public void A_header_over_the_pixel_limit_is_rejected_before_decoding()
    {
        var path = _temp.File("huge.png");
        File.WriteAllBytes(path, TestImages.PngHeaderOnly(100_000, 100_000));
        ShouldFailToLoad(path, "exceeds the limit");
    }

    [Fact]
    public void The_pixel_limit_can_be_lowered()
    {
        using var bitmap = TestImages.Noise(20, 10);
        var path = _temp.File("small.png");
        ImageFile.Save(bitmap, path);

        FluentActions.Invoking(() => ImageFile.Load(path, new ImageLoadOptions { MaxPixels = 199 }))
            .Should().Throw<ImageLoadException>().Which.Message.Should().Contain("20x10");
        using var loaded = ImageFile.Load(path, new ImageLoadOptions { MaxPixels = 200 });
        loaded.Width.Should().Be(20);
    }

    [Fact]
    public void Load_options_validate_the_limit()
    {
        ImageLoadOptions.Default.MaxPixels.Should().Be(64 * 1024 * 1024);
        FluentActions.Invoking(() => new ImageLoadOptions { MaxPixels = 0 }).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Load_from_a_non_seekable_stream_leaves_it_open()
    {
        using var bitmap = TestImages.Noise(9, 7);
        var png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        using var stream = new ForwardOnlyStream(new MemoryStream(png));

        using var loaded = ImageFile.Load(stream, "upload.png");

        loaded.GetPixelSpan().ToArray().Should().Equal(bitmap.GetPixelSpan().ToArray());
        stream.CanRead.Should().BeTrue();
        FluentActions.Invoking(() => ImageFile.Load(new MemoryStream([1, 2, 3]), "bytes"))
            .Should().Throw<ImageLoadException>().Which.FilePath.Should().Be("bytes");
    }

    [Fact]
    public void Load_from_a_seekable_stream_leaves_it_open()
    {
        using var bitmap = TestImages.Noise(5, 4);
        using var stream = new MemoryStream(TestImages.Encode(bitmap, SKEncodedImageFormat.Png));
        using (var loaded = ImageFile.Load(stream, "memory.png"))
        {
            loaded.Width.Should().Be(5);
        }

        stream.CanRead.Should().BeTrue("the caller's stream must not be disposed");
        stream.Position = 0;
        stream.ReadByte().Should().Be(0x89);
    }

    [Fact]
    public void Load_from_a_stream_starts_at_its_current_position()
    {
        using var bitmap = TestImages.Noise(6, 5);
        var png = TestImages.Encode(bitmap, SKEncodedImageFormat.Png);
        using var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        stream.Write(png);
        stream.Position = 3;

        using var loaded = ImageFile.Load(stream, "offset.png");

        loaded.GetPixelSpan().ToArray().Should().Equal(bitmap.GetPixelSpan().ToArray());
    }

    [Fact]
    public void Save_png_round_trips_exactly()
    {
        using var bitmap = TestImages.Noise(33, 17);
        var path = _temp.File("out.png");
        ImageFile.Save(bitmap, path);
        using var loaded = ImageFile.Load(path);
        loaded.GetPixelSpan().ToArray().Should().Equal(bitmap.GetPixelSpan().ToArray());
        Directory.GetFiles(_temp.Path).Should().ContainSingle("no temporary file is left behind");
    }

    [Theory]
    [InlineData("out.jpg")]
    [InlineData("out.JPEG")]
    [InlineData("out.webp")]
    public void Save_lossy_formats_load_back(string name)
    {
        using var bitmap = TestImages.Create(40, 24, (x, y) => x < 20 ? new SKColor(200, 40, 40) : new SKColor(30, 60, (byte)(y * 10)));
        var path = _temp.File(name);
        ImageFile.Save(bitmap, path, jpegQuality: 95);
        using var loaded = ImageFile.Load(path);
        loaded.Width.Should().Be(40);
        loaded.Height.Should().Be(24);
        ShouldBeClose(TestImages.Pixel(loaded, 5, 5), new SKColor(200, 40, 40), 8);
        ShouldBeClose(TestImages.Pixel(loaded, 30, 12), new SKColor(30, 60, 120), 8);
    }

    [Fact]
    public void Save_jpeg_composites_alpha_on_white()
    {
        using var bitmap = TestImages.Create(16, 16, (_, _) => new SKColor(0, 0, 0, 0));
        var path = _temp.File("transparent.jpg");
        ImageFile.Save(bitmap, path);
        using var loaded = ImageFile.Load(path);
        ShouldBeClose(TestImages.Pixel(loaded, 8, 8), new SKColor(255, 255, 255), 2);
    }

    [Fact]
    public void Save_replaces_an_existing_file()
    {
        var path = _temp.File("replace.png");
        File.WriteAllText(path, "old");
        using var bitmap = TestImages.Noise(3, 3);
        ImageFile.Save(bitmap, path);
        using var loaded = ImageFile.Load(path);
        loaded.Width.Should().Be(3);
        Directory.GetFiles(_temp.Path).Should().ContainSingle();
    }

    [Theory]
    [InlineData("out.bmp")]
    [InlineData("out.gif")]
    [InlineData("out")]
    public void Save_with_an_unknown_extension_throws_and_writes_nothing(string name)
    {
        using var bitmap = TestImages.Noise(3, 3);
        FluentActions.Invoking(() => ImageFile.Save(bitmap, _temp.File(name))).Should().Throw<ArgumentException>().WithParameterName("path");
        Directory.EnumerateFileSystemEntries(_temp.Path).Should().BeEmpty();
    }

    [Fact]
    public void Save_into_a_missing_folder_throws_and_leaves_nothing()
    {
        using var bitmap = TestImages.Noise(3, 3);
        FluentActions.Invoking(() => ImageFile.Save(bitmap, Path.Combine(_temp.Path, "no-such-folder", "x.png")))
            .Should().Throw<DirectoryNotFoundException>();
        FluentActions.Invoking(() => ImageFile.Save(bitmap, _temp.File("x.png"), jpegQuality: 0)).Should().Throw<ArgumentOutOfRangeException>();
        Directory.EnumerateFileSystemEntries(_temp.Path).Should().BeEmpty();
    }

    private static FluentAssertions.Specialized.ExceptionAssertions<ImageLoadException> ShouldFailToLoad(string path, string reason)
    {
        var assertion = FluentActions.Invoking(() => ImageFile.Load(path)).Should().Throw<ImageLoadException>();
        assertion.Which.FilePath.Should().Be(path);
        assertion.Which.Message.Should().Contain(path).And.Contain(reason);
        return assertion;
    }

    private static SKColor CornerPixel(SKBitmap bitmap, Corner corner)
    {
        // 4 pixels in from the corner: inside the 16-pixel block, away from JPEG ringing at the block's edge.
        int x = corner is Corner.TopLeft or Corner.BottomLeft ? 4 : bitmap.Width - 5;
        int y = corner is Corner.TopLeft or Corner.TopRight ? 4 : bitmap.Height - 5;
        return TestImages.Pixel(bitmap, x, y);
    }

    private static void ShouldBeClose(SKColor actual, SKColor expected, int tolerance = 24)
    {
        new[] { actual.Red - expected.Red, actual.Green - expected.Green, actual.Blue - expected.Blue }
            .Select(Math.Abs).Max().Should().BeLessThanOrEqualTo(tolerance, $"{actual} should be close to {expected}");
    }

    /// <summary>A read-only stream that cannot seek, like a network stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
