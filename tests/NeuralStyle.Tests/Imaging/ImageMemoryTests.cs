using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

/// <summary>
/// Decoding at the size a run needs (<see cref="ImageFile.LoadForSize(string, int?, ImageLoadOptions?)"/>): the result's
/// size and orientation, and the peak memory of hostile files, measured as the growth of the process's peak resident
/// set (Linux's VmHWM, reset through /proc/self/clear_refs) in <see cref="SoloTests"/>, so nothing else runs meanwhile.
/// The figures in docs/security.md come from these tests (their log lines).
/// </summary>
[Collection(nameof(SoloTests))]
public sealed class ImageMemoryTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<int> Orientations => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Orientations))]
    public void A_reduced_decode_is_upright_and_has_the_size_the_run_resizes_to(int orientation)
    {
        // Stored 960 × 640: red top-left quarter, green top-right; the rest gray. Decoded for a shorter side of 64.
        using var stored = TestImages.Create(960, 640, (x, y) => (x, y) switch
        {
            ( < 320, < 320) => new SKColor(255, 0, 0),
            ( >= 640, < 320) => new SKColor(0, 255, 0),
            _ => new SKColor(128, 128, 128),
        });
        var path = _temp.File($"o{orientation}.jpg");
        File.WriteAllBytes(path, TestImages.WithExifOrientation(TestImages.Encode(stored, SKEncodedImageFormat.Jpeg, 95), (ushort)orientation));
        using var full = ImageFile.Load(path);

        using var reduced = ImageFile.LoadForSize(path, 64);

        var expected = ImageTensor.ResizedSize(full.Width, full.Height, 64);
        (reduced.Width, reduced.Height).Should().Be((expected.Width, expected.Height));
        // Every corner of the reduced image has the colour of the same corner of the full-size, upright decode.
        foreach (var (fx, fy) in new[] { (0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9) })
        {
            var want = TestImages.Pixel(full, (int)(fx * full.Width), (int)(fy * full.Height));
            var got = TestImages.Pixel(reduced, (int)(fx * reduced.Width), (int)(fy * reduced.Height));
            new[] { got.Red - want.Red, got.Green - want.Green, got.Blue - want.Blue }.Select(Math.Abs).Max().Should().BeLessThan(12, $"corner ({fx}, {fy}) of orientation {orientation}");
        }
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void A_reduced_decode_averages_blocks_and_keeps_the_picture(SKEncodedImageFormat format)
    {
        // A horizontal ramp: the reduced image's columns follow the same ramp.
        using var ramp = TestImages.Create(1000, 500, (x, _) => new SKColor((byte)(x * 255 / 999), 100, 50));
        var bytes = TestImages.Encode(ramp, format, 100);

        using var reduced = ImageFile.LoadForSize(new MemoryStream(bytes), "ramp", 100);

        (reduced.Width, reduced.Height).Should().Be((200, 100));
        for (var x = 5; x < 200; x += 20)
        {
            TestImages.Pixel(reduced, x, 50).Red.Should().BeCloseTo((byte)((x + 0.5) * 5 * 255 / 999), 4, $"column {x} of {format}");
        }
    }

    [Fact]
    public void A_progressive_jpeg_declaring_8192_squared_peaks_at_its_coefficients_not_at_a_gigabyte()
    {
        var hostile = HostileProgressiveJpeg();
        hostile.Length.Should().BeLessThan(200);

        // Decoded for a run at 512 pixels: the 384 MiB of DCT coefficients libjpeg keeps for a progressive image remain.
        var peak = PeakRssGrowth(() => Outcome(() => ImageFile.LoadForSize(new MemoryStream(hostile), "hostile.jpg", 512)));
        // Refused from its header when the limit is below that estimate: nothing is allocated.
        var refusal = string.Empty;
        var refusedPeak = PeakRssGrowth(() => refusal = Outcome(() => ImageFile.LoadForSize(new MemoryStream(hostile), "hostile.jpg", 512, new ImageLoadOptions { MaxDecodeBytes = 256 * MiB })));

        Log($"{hostile.Length}-byte progressive 8192x8192 JPEG at 512: peak +{peak / MiB} MiB; with MaxDecodeBytes 256 MiB: +{refusedPeak / MiB} MiB ({refusal})");
        refusal.Should().Contain("MaxDecodeBytes (256 MiB)").And.Contain("hostile.jpg");
        var estimate = long.Parse(System.Text.RegularExpressions.Regex.Match(refusal, "about ([0-9]+) MiB").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * MiB;
        peak.Should().BeLessThanOrEqualTo(estimate, "the estimate checked before decoding covers the measured peak");
        peak.Should().BeLessThan(448 * MiB, "the coefficients (384 MiB) plus a reduced bitmap, not the 1.06 GB of a full-size decode");
        refusedPeak.Should().BeLessThan(16 * MiB);
    }

    [Fact]
    public void Content_and_five_hostile_styles_stay_within_one_decode_and_the_run_budget()
    {
        var hostile = HostileProgressiveJpeg();
        var budget = new ImageMemoryBudget();
        var options = new ImageLoadOptions { Budget = budget };
        var outcomes = new string[6];

        var peak = PeakRssGrowth(() =>
        {
            for (var i = 0; i < outcomes.Length; i++)
            {
                outcomes[i] = Outcome(() => ImageFile.LoadForSize(new MemoryStream(hostile), $"input-{i}.jpg", 512, options));
            }
        });

        Log($"6 × hostile 8192x8192 progressive JPEG at 512 with one budget: peak +{peak / MiB} MiB; reserved after {budget.ReservedBytes / MiB} MiB; {string.Join("; ", outcomes.Distinct())}");
        peak.Should().BeLessThan(448 * MiB, "images are decoded one after another and keep only their reduced bitmaps (3.3 GB before)");
        budget.ReservedBytes.Should().BeLessThanOrEqualTo(6 * 4 * 512 * 512, "only the returned 512 × 512 bitmaps stay reserved");
    }

    [Fact]
    public void A_budget_refuses_the_image_that_would_exceed_it()
    {
        var hostile = HostileProgressiveJpeg();
        var options = new ImageLoadOptions { Budget = new ImageMemoryBudget(300 * MiB) };

        var act = () => ImageFile.LoadForSize(new MemoryStream(hostile), "big.jpg", 512, options).Dispose();

        act.Should().Throw<ImageLoadException>().Which.Message.Should().Contain("big.jpg").And.Contain("image budget");
        options.Budget.ReservedBytes.Should().Be(0, "a refused load keeps nothing reserved");
    }

    [Fact]
    public void A_64_megapixel_jpeg_is_read_row_by_row_and_a_png_whole()
    {
        var jpeg = JpegWriter.Encode(8192, 8192, 3, (bx, by) => [(byte)(bx % 256), 128, (byte)(by % 256)]);
        byte[] png;
        using (var gray = new SKBitmap(new SKImageInfo(8192, 8192, SKColorType.Gray8)))
        {
            gray.Erase(new SKColor(90, 90, 90));
            png = TestImages.Encode(gray, SKEncodedImageFormat.Png);
        }

        (long Peak, string Outcome) Measure(byte[] bytes, string name, int? side, long maxDecodeBytes = ImageLoadOptions.DefaultMaxDecodeBytes)
        {
            var outcome = string.Empty;
            var peak = PeakRssGrowth(() => outcome = Outcome(() => ImageFile.LoadForSize(new MemoryStream(bytes), name, side, new ImageLoadOptions { MaxDecodeBytes = maxDecodeBytes })));
            return (peak, outcome);
        }

        var jpegAt512 = Measure(jpeg, "baseline.jpg", 512);
        var jpegWhole = Measure(jpeg, "baseline.jpg", null);
        var pngAt512 = Measure(png, "flat.png", 512);
        var pngRefused = Measure(png, "flat.png", 512, 256 * MiB);
        Log($"8192x8192 baseline JPEG ({jpeg.Length / 1024} KiB) at 512: +{jpegAt512.Peak / MiB} MiB ({jpegAt512.Outcome}); whole: +{jpegWhole.Peak / MiB} MiB; "
            + $"PNG ({png.Length / 1024} KiB) at 512: +{pngAt512.Peak / MiB} MiB ({pngAt512.Outcome}); with MaxDecodeBytes 256 MiB: +{pngRefused.Peak / MiB} MiB");

        jpegAt512.Outcome.Should().Be("decoded 512x512");
        jpegAt512.Peak.Should().BeLessThan(32 * MiB, "the JPEG is decoded at 1/8 scale, row by row, never as a 256 MiB bitmap");
        jpegWhole.Peak.Should().BeInRange(250 * MiB, 300 * MiB, "whole, 64 megapixels take their 256 MiB bitmap");
        pngAt512.Outcome.Should().Be("decoded 512x512");
        pngAt512.Peak.Should().BeInRange(250 * MiB, 300 * MiB, "Skia decodes a PNG only whole: its 256 MiB are in the estimate");
        pngRefused.Outcome.Should().Contain("MaxDecodeBytes");
        pngRefused.Peak.Should().BeLessThan(16 * MiB, "refused from the header's estimate, before decoding");
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_buffered_only_up_to_the_limit()
    {
        var endless = new NonSeekable(new MemoryStream(new byte[8 * MiB]));

        var act = () => ImageFile.Load(endless, "upload", new ImageLoadOptions { MaxDecodeBytes = 2 * MiB }).Dispose();

        act.Should().Throw<ImageLoadException>().Which.Message.Should().Contain("upload").And.Contain("more than 2 MiB");
        endless.Inner.Position.Should().BeLessThanOrEqualTo((2 * MiB) + (64 * 1024), "reading stopped at the limit");
    }

    [Fact]
    public async Task A_fifo_or_a_device_is_refused_without_blocking()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "FIFOs and statx are Linux here");
        var fifo = _temp.File("pipe.png");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            mkfifo.ExitCode.Should().Be(0);
        }

        foreach (var path in new[] { fifo, "/dev/zero" })
        {
            // A blocked open would never return: the wait bounds it (a hang fails the test instead of stalling the run).
            var load = Task.Run(() => Outcome(() => ImageFile.Load(path)));
            var outcome = await load.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            outcome.Should().Contain(path).And.Contain("not a regular file");
        }
    }

    // 8192 × 8192, three unsubsampled components, progressive, a DC scan cut after one block: about 130 bytes.
    private static byte[] HostileProgressiveJpeg() => JpegWriter.Encode(8192, 8192, 3, (_, _) => [90, 128, 128], maxBlocks: 1, progressive: true);

    private static string Outcome(Func<SKBitmap> load)
    {
        try
        {
            using var bitmap = load();
            return $"decoded {bitmap.Width}x{bitmap.Height}";
        }
        catch (ImageLoadException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>How far the process's peak resident set rose above its current size while <paramref name="action"/> ran.</summary>
    private static long PeakRssGrowth(Action action)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "peak RSS is read from /proc (Linux)");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        NeuralStyle.Internal.NativeAllocator.ReleaseFreeMemory(); // free heap that other tests' runs kept would hide a decode's growth
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        var before = Status("VmRSS:");
        action();
        return Status("VmHWM:") - before;
    }

    private static long Status(string field)
        => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private sealed class NonSeekable(MemoryStream inner) : Stream
    {
        public MemoryStream Inner => inner;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
