using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

/// <summary>
/// Image files the imaging tests do not cover: CMYK/YCCK and grayscale JPEG, 16-bit gray and RGBA PNG, one and zero
/// pixels in every format, headers that declare huge sizes, and every truncation point and random corruption of small
/// files. Each input gives a correct image or an <see cref="ImageLoadException"/> naming it; nothing else.
/// </summary>
public sealed class ImageInputTests
{
    [Fact]
    public void Cmyk_jpeg_with_an_adobe_marker_decodes_to_rgb()
    {
        // Adobe (Photoshop) CMYK JPEGs store inverted ink values: 255 means no ink. Block 0: no cyan, full magenta and
        // yellow, no black → red. Block 1: no colour ink, half black → mid gray. Block 2: full cyan, no black → cyan.
        byte[][] blocks = [[255, 0, 0, 255], [255, 255, 255, 127], [0, 255, 255, 255]];
        var jpeg = JpegWriter.Encode(24, 8, 4, (bx, _) => blocks[bx], JpegWriter.AdobeTransform.None);

        using var bitmap = ImageFile.Load(new MemoryStream(jpeg), "cmyk.jpg");

        (bitmap.Width, bitmap.Height).Should().Be((24, 8));
        bitmap.ColorType.Should().Be(SKColorType.Rgba8888);
        ShouldBeClose(TestImages.Pixel(bitmap, 3, 3), new SKColor(255, 0, 0));
        ShouldBeClose(TestImages.Pixel(bitmap, 11, 3), new SKColor(127, 127, 127));
        ShouldBeClose(TestImages.Pixel(bitmap, 19, 3), new SKColor(0, 255, 255));
    }

    [Fact]
    public void Ycck_jpeg_decodes_with_adobes_convention()
    {
        // YCCK holds inverted CMY as YCbCr plus K: luma 0 means no ink (white under full K' = 255), luma 255 full ink.
        byte[][] blocks = [[0, 128, 128, 255], [255, 128, 128, 255]];
        var jpeg = JpegWriter.Encode(16, 8, 4, (bx, _) => blocks[bx], JpegWriter.AdobeTransform.Ycck);

        using var bitmap = ImageFile.Load(new MemoryStream(jpeg), "ycck.jpg");

        ShouldBeClose(TestImages.Pixel(bitmap, 3, 3), new SKColor(255, 255, 255));
        ShouldBeClose(TestImages.Pixel(bitmap, 11, 3), new SKColor(0, 0, 0));
    }

    [Fact]
    public void Grayscale_jpeg_gives_three_equal_channels()
    {
        var jpeg = JpegWriter.Encode(16, 8, 1, (bx, _) => bx == 0 ? [30] : [200]);

        using var bitmap = ImageFile.Load(new MemoryStream(jpeg), "gray.jpg");

        TestImages.Pixel(bitmap, 3, 3).Should().Be(new SKColor(30, 30, 30, 255));
        TestImages.Pixel(bitmap, 12, 3).Should().Be(new SKColor(200, 200, 200, 255));
    }

    [Fact]
    public void Sixteen_bit_gray_and_rgba_pngs_decode()
    {
        using var gray = ImageFile.Load(new MemoryStream(TinyImages.Png16(2, 1, 0, [0x0000, 0xC0C0])), "gray16.png");
        using var rgba = ImageFile.Load(new MemoryStream(TinyImages.Png16(1, 1, 6, [0xFFFF, 0x8080, 0x0000, 0x4040])), "rgba16.png");

        TestImages.Pixel(gray, 0, 0).Should().Be(new SKColor(0, 0, 0, 255));
        TestImages.Pixel(gray, 1, 0).Should().Be(new SKColor(0xC0, 0xC0, 0xC0, 255));
        var pixel = TestImages.Pixel(rgba, 0, 0);
        pixel.Alpha.Should().BeInRange(0x3F, 0x41);
        ShouldBeClose(pixel, new SKColor(0xFF, 0x80, 0x00), tolerance: 2);
    }

    public static TheoryData<string> OnePixelFormats => new() { "png", "jpeg", "webp", "gif", "bmp" };

    [Theory]
    [MemberData(nameof(OnePixelFormats))]
    public void One_pixel_images_decode_in_every_format(string format)
    {
        var color = new SKColor(200, 120, 40);
        using var one = TestImages.Create(1, 1, (_, _) => color);
        var bytes = format switch
        {
            "png" => TestImages.Encode(one, SKEncodedImageFormat.Png),
            "jpeg" => TestImages.Encode(one, SKEncodedImageFormat.Jpeg, 100),
            "webp" => TestImages.Encode(one, SKEncodedImageFormat.Webp, 100),
            "gif" => TinyImages.Gif1x1(color.Red, color.Green, color.Blue),
            _ => TinyImages.Bmp(1, 1, (_, _) => (color.Red, color.Green, color.Blue)),
        };

        using var bitmap = ImageFile.Load(new MemoryStream(bytes), "one." + format);

        (bitmap.Width, bitmap.Height).Should().Be((1, 1));
        ShouldBeClose(TestImages.Pixel(bitmap, 0, 0), color, format is "jpeg" or "webp" ? 12 : 0);
    }

    public static TheoryData<string, byte[]> ZeroSizeFiles => new()
    {
        { "png 0x5", TestImages.PngHeaderOnly(0, 5) },
        { "png 5x0", TestImages.PngHeaderOnly(5, 0) },
        { "gif 0x0", TinyImages.Gif(0, 0) },
        { "gif 3x0", TinyImages.Gif(3, 0) },
        { "jpeg 0x8", JpegWriter.Encode(0, 8, 3, (_, _) => [1, 2, 3]) },
        { "jpeg 8x0", JpegWriter.Encode(8, 0, 1, (_, _) => [1]) },
        { "bmp 0x4", TinyImages.Bmp(0, 4, (_, _) => (0, 0, 0)) },
    };

    [Theory]
    [MemberData(nameof(ZeroSizeFiles))]
    public void Zero_pixel_images_are_rejected_as_empty(string name, byte[] bytes)
    {
        var act = () => ImageFile.Load(new MemoryStream(bytes), name).Dispose();

        var thrown = act.Should().Throw<ImageLoadException>().Which;
        thrown.FilePath.Should().Be(name);
        thrown.Message.Should().Contain(name).And.Contain("empty size");
    }

    [Fact]
    public void Jpeg_headers_over_the_pixel_limit_are_refused_before_decoding()
    {
        // 60000 × 60000 would need 13 GiB as RGBA; the header is read, the pixels are never allocated.
        var withScan = JpegWriter.Encode(60000, 60000, 3, (_, _) => [90, 128, 128], maxBlocks: 1);
        var headerOnly = JpegWriter.Encode(60000, 60000, 3, (_, _) => [90, 128, 128], writeScan: false);

        foreach (var (name, bytes) in new[] { ("huge.jpg", withScan), ("huge-header.jpg", headerOnly) })
        {
            var act = () => ImageFile.Load(new MemoryStream(bytes), name).Dispose();
            act.Should().Throw<ImageLoadException>().Which.Message.Should().Contain("60000x60000").And.Contain("exceeds the limit");
        }
    }

    [Fact]
    public void A_damaged_header_of_a_known_format_is_named()
    {
        var png = TestImages.PngHeaderOnly(4, 4);
        png[24] = 3; // bit depth 3 is not allowed for RGB

        var act = () => ImageFile.Load(new MemoryStream(png), "bad-depth.png").Dispose();

        act.Should().Throw<ImageLoadException>().Which.Message.Should().Contain("bad-depth.png");
    }

    public static TheoryData<string> SweepFormats => new() { "png", "jpeg", "webp", "webp-lossless", "gif", "bmp" };

    [Theory]
    [MemberData(nameof(SweepFormats))]
    public void Every_truncation_gives_the_image_or_an_ImageLoadException(string format)
    {
        var (bytes, width, height) = Sample(format);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        // Every cut in the first 64 bytes (headers), then about 150 more spread over the rest.
        var step = Math.Max(1, (bytes.Length - 64) / 150);
        var cuts = Enumerable.Range(0, bytes.Length).Where(c => c < 64 || (c - 64) % step == 0 || c == bytes.Length - 1);
        foreach (var cut in cuts)
        {
            var outcome = Outcome(bytes[..cut], $"{format}-cut-{cut}");
            if (outcome == "decoded")
            {
                // A decoder may finish without trailing bytes it does not need (PNG's IEND, JPEG's EOI).
                using var bitmap = ImageFile.Load(new MemoryStream(bytes[..cut]), "again");
                (bitmap.Width, bitmap.Height).Should().Be((width, height), $"a cut at {cut} of {bytes.Length} bytes decoded");
                cut.Should().BeGreaterThan(bytes.Length / 2, "only a cut in the trailer may still decode");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{format}, {bytes.Length} bytes: {string.Join("; ", outcomes.Select(o => $"{o.Key} ×{o.Value}"))}");
        outcomes.Keys.Should().OnlyContain(k => k == "decoded" || k.StartsWith("rejected", StringComparison.Ordinal), string.Join(", ", outcomes));
        outcomes.Keys.Should().Contain(k => k.StartsWith("rejected", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SweepFormats))]
    public void Random_corruption_gives_an_image_or_an_ImageLoadException(string format)
    {
        var (bytes, _, _) = Sample(format);
        var random = new Random(format.Length * 7919);
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var trial = 0; trial < 150; trial++)
        {
            var mutated = (byte[])bytes.Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++)
            {
                // Half the mutations hit the first 64 bytes, where the headers are.
                var at = random.Next(2) == 0 ? random.Next(Math.Min(64, mutated.Length)) : random.Next(mutated.Length);
                mutated[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => 0xFF,
                    _ => (byte)(mutated[at] ^ (1 << random.Next(8))),
                };
            }

            var outcome = Outcome(mutated, $"{format}-mutant-{trial}");
            kinds[outcome] = kinds.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{format}: {string.Join("; ", kinds.Select(o => $"{o.Key} ×{o.Value}"))}");
        kinds.Keys.Should().OnlyContain(k => k == "decoded" || k.StartsWith("rejected", StringComparison.Ordinal), string.Join(", ", kinds));
    }

    // "decoded", "rejected: <reason>" or the unexpected exception's type (which fails the caller's assertion).
    private static string Outcome(byte[] bytes, string name)
    {
        try
        {
            using var bitmap = ImageFile.Load(new MemoryStream(bytes), name, new ImageLoadOptions { MaxPixels = 1 << 20 });
            bitmap.Width.Should().BePositive();
            bitmap.ColorType.Should().Be(SKColorType.Rgba8888);
            return "decoded";
        }
        catch (ImageLoadException ex)
        {
            ex.FilePath.Should().Be(name);
            ex.Message.Should().StartWith($"Cannot load image '{name}': ");
            var reason = ex.Message[(ex.Message.IndexOf("': ", StringComparison.Ordinal) + 3)..];
            return "rejected: " + reason.Split(' ', 3)[..2].Aggregate((a, b) => a + " " + b);
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static (byte[] Bytes, int Width, int Height) Sample(string format)
    {
        using var noise = TestImages.Noise(24, 16, seed: 3);
        return format switch
        {
            "png" => (TestImages.Encode(noise, SKEncodedImageFormat.Png), 24, 16),
            "jpeg" => (TestImages.Encode(noise, SKEncodedImageFormat.Jpeg, 90), 24, 16),
            "webp" => (TestImages.Encode(noise, SKEncodedImageFormat.Webp, 90), 24, 16),
            "webp-lossless" => (TestImages.Encode(noise, SKEncodedImageFormat.Webp, 100), 24, 16),
            "gif" => (TinyImages.Gif1x1(10, 20, 30), 1, 1),
            _ => (TinyImages.Bmp(24, 16, (x, y) => ((byte)(x * 10), (byte)(y * 15), 99)), 24, 16),
        };
    }

    private static void ShouldBeClose(SKColor actual, SKColor expected, int tolerance = 2)
        => new[] { actual.Red - expected.Red, actual.Green - expected.Green, actual.Blue - expected.Blue }
            .Select(Math.Abs).Max().Should().BeLessThanOrEqualTo(tolerance, $"{actual} should be close to {expected}");
}
