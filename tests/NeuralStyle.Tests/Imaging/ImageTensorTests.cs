using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Imaging;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Imaging;

public sealed class ImageTensorTests
{
    private static readonly float[] MeanValues = [0.485f, 0.456f, 0.406f];
    private static readonly float[] StdValues = [0.229f, 0.224f, 0.225f];

    private static float Normalised(int channel, byte value) => ((value / 255f) - MeanValues[channel]) / StdValues[channel];

    [Fact]
    public void Mean_and_std_are_the_imagenet_values()
    {
        ImageTensor.Mean.Should().Equal(MeanValues);
        ImageTensor.Std.Should().Equal(StdValues);
    }

    [Fact]
    public void Bitmap_to_tensor_to_bitmap_round_trip_is_exact()
    {
        using var bitmap = TestImages.Create(37, 23, (x, y) => new SKColor((byte)(x * 7 + y), (byte)(y * 11 + x * 3), (byte)((x * y) + 5)));
        using var image = ImageTensor.FromBitmap(bitmap);
        using var back = ImageTensor.ToBitmap(image);

        back.Width.Should().Be(37);
        back.Height.Should().Be(23);
        back.ColorType.Should().Be(SKColorType.Rgba8888);
        back.AlphaType.Should().Be(SKAlphaType.Opaque);
        for (int y = 0; y < 23; y++)
        {
            for (int x = 0; x < 37; x++)
            {
                TestImages.Pixel(back, x, y).Should().Be(TestImages.Pixel(bitmap, x, y), $"pixel ({x}, {y})");
            }
        }
    }

    [Fact]
    public void Every_8_bit_value_survives_the_round_trip()
    {
        using var bitmap = TestImages.Create(256, 3, (x, y) => new SKColor((byte)x, (byte)(255 - x), (byte)((x + (85 * y)) % 256)));
        using var image = ImageTensor.FromBitmap(bitmap);
        using var back = ImageTensor.ToBitmap(image);
        back.GetPixelSpan().ToArray().Should().Equal(bitmap.GetPixelSpan().ToArray());
    }

    [Fact]
    public void Tensor_is_1x3xHxW_float32_on_cpu_in_rgb_order_with_normalised_values()
    {
        // 3 wide, 2 high: a red pixel at (0, 0) and a distinct colour at (2, 1).
        using var bitmap = TestImages.Create(3, 2, (x, y) => (x, y) switch
        {
            (0, 0) => new SKColor(255, 0, 0),
            (2, 1) => new SKColor(10, 128, 250),
            _ => new SKColor(0, 0, 0),
        });
        using var image = ImageTensor.FromBitmap(bitmap);

        image.shape.Should().Equal(1L, 3L, 2L, 3L);
        image.dtype.Should().Be(ScalarType.Float32);
        image.device_type.Should().Be(DeviceType.CPU);

        var values = image.data<float>().ToArray(); // [c][y][x]
        float At(int c, int y, int x) => values[(c * 6) + (y * 3) + x];

        At(0, 0, 0).Should().BeApproximately(Normalised(0, 255), 1e-6f);
        At(0, 0, 0).Should().BeGreaterThan(2f, "a pure red pixel lights channel 0 (RGB, not BGR)");
        At(1, 0, 0).Should().BeApproximately(Normalised(1, 0), 1e-6f);
        At(2, 0, 0).Should().BeApproximately(Normalised(2, 0), 1e-6f);
        At(0, 1, 2).Should().BeApproximately(Normalised(0, 10), 1e-6f);
        At(1, 1, 2).Should().BeApproximately(Normalised(1, 128), 1e-6f);
        At(2, 1, 2).Should().BeApproximately(Normalised(2, 250), 1e-6f);
    }

    [Fact]
    public void Bitmaps_of_other_colour_types_are_converted()
    {
        using var bgra = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Bgra8888, SKAlphaType.Premul));
        bgra.SetPixel(0, 0, new SKColor(0, 0, 255));
        bgra.SetPixel(1, 0, new SKColor(200, 100, 50));
        using var image = ImageTensor.FromBitmap(bgra);
        var values = image.data<float>().ToArray(); // [c][x]

        values[4].Should().BeApproximately(Normalised(2, 255), 1e-6f, "blue stays in channel 2");
        values[0].Should().BeApproximately(Normalised(0, 0), 1e-6f);
        values[1].Should().BeApproximately(Normalised(0, 200), 1e-6f);
        values[3].Should().BeApproximately(Normalised(1, 100), 1e-6f);
        values[5].Should().BeApproximately(Normalised(2, 50), 1e-6f);
    }

    [Fact]
    public void Grayscale_gives_three_equal_channels()
    {
        using var gray = new SKBitmap(new SKImageInfo(4, 2, SKColorType.Gray8, SKAlphaType.Opaque));
        var span = gray.GetPixelSpan();
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (byte)(i * 30);
        }

        using var image = ImageTensor.FromBitmap(gray);
        using var rgb = ImageTensor.ToRgb01(image);
        var values = rgb.data<float>().ToArray();
        for (int i = 0; i < 8; i++)
        {
            values[i].Should().BeApproximately(i * 30 / 255f, 1e-6f);
            values[8 + i].Should().BeApproximately(values[i], 1e-6f);
            values[16 + i].Should().BeApproximately(values[i], 1e-6f);
        }
    }

    [Fact]
    public void Alpha_is_composited_on_white()
    {
        using var bitmap = TestImages.Create(3, 1, (x, _) => x switch
        {
            0 => new SKColor(0, 0, 0, 0),         // transparent black -> white
            1 => new SKColor(255, 0, 0, 128),     // half red -> pink
            _ => new SKColor(20, 40, 60, 255),    // opaque -> unchanged
        });
        using var image = ImageTensor.FromBitmap(bitmap);
        using var back = ImageTensor.ToBitmap(image);

        TestImages.Pixel(back, 0, 0).Should().Be(new SKColor(255, 255, 255));
        TestImages.Pixel(back, 1, 0).Should().Be(new SKColor(255, 127, 127)); // 255 * 127 / 255, rounded
        TestImages.Pixel(back, 2, 0).Should().Be(new SKColor(20, 40, 60));
    }

    [Fact]
    public void Premultiplied_alpha_is_composited_on_white()
    {
        using var premul = new SKBitmap(new SKImageInfo(1, 1, SKColorType.Rgba8888, SKAlphaType.Premul));
        premul.SetPixel(0, 0, new SKColor(0, 0, 255, 0));
        using var image = ImageTensor.FromBitmap(premul);
        using var back = ImageTensor.ToBitmap(image);
        TestImages.Pixel(back, 0, 0).Should().Be(new SKColor(255, 255, 255));
    }

    [Theory]
    [InlineData(512, 384, 192, 256, 192)]
    [InlineData(384, 512, 192, 192, 256)]
    [InlineData(500, 333, 256, 384, 256)]   // 256 * 500 / 333 = 384.38 -> 384
    [InlineData(333, 500, 256, 256, 384)]
    [InlineData(1024, 768, 512, 682, 512)]  // 682.67 truncated, as torchvision does
    [InlineData(300, 300, 256, 256, 256)]
    [InlineData(100, 50, 200, 400, 200)]    // enlarging
    public void Resized_size_follows_torchvision(int width, int height, int shorterSide, int expectedWidth, int expectedHeight)
    {
        ImageTensor.ResizedSize(width, height, shorterSide).Should().Be(new SKSizeI(expectedWidth, expectedHeight));
    }

    [Theory]
    [InlineData(512, 384, 192, 256, 192)]
    [InlineData(384, 512, 192, 192, 256)]
    [InlineData(40, 30, 60, 80, 60)]
    public void FromBitmap_resizes_the_shorter_side(int width, int height, int shorterSide, int expectedWidth, int expectedHeight)
    {
        using var bitmap = TestImages.Noise(width, height);
        using var image = ImageTensor.FromBitmap(bitmap, shorterSide);
        image.shape.Should().Equal(1L, 3L, (long)expectedHeight, (long)expectedWidth);
        image.dtype.Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void FromBitmap_resize_keeps_a_flat_colour_exactly()
    {
        using var bitmap = TestImages.Create(64, 48, (_, _) => new SKColor(10, 200, 30));
        using var image = ImageTensor.FromBitmap(bitmap, 12);
        using var back = ImageTensor.ToBitmap(image);
        back.Width.Should().Be(16);
        back.Height.Should().Be(12);
        for (int y = 0; y < 12; y++)
        {
            for (int x = 0; x < 16; x++)
            {
                TestImages.Pixel(back, x, y).Should().Be(new SKColor(10, 200, 30));
            }
        }
    }

    [Fact]
    public void FromBitmap_resize_is_antialiased()
    {
        // Columns repeat 255, 0, 0, 0: shrinking 4x must average them (~64), not sample them (plain bilinear gives 0 here).
        using var bitmap = TestImages.Create(64, 64, (x, _) => x % 4 == 0 ? new SKColor(255, 255, 255) : new SKColor(0, 0, 0));
        using var image = ImageTensor.FromBitmap(bitmap, 16);
        using var rgb = ImageTensor.ToRgb01(image);
        using var inner = rgb[.., .., 2..14, 2..14];
        inner.mean().item<float>().Should().BeApproximately(63.75f / 255, 2f / 255);
        inner.max().item<float>().Should().BeLessThan(100f / 255);
    }

    [Fact]
    public void ToBitmap_clamps_and_rounds_to_nearest()
    {
        float[] rgb01 = [-0.5f, 1.7f, 0.49f / 255, 0.51f / 255, 100.4f / 255, 100.6f / 255];
        using var input = tensor(rgb01.Concat(rgb01).Concat(rgb01).ToArray(), [1, 3, 1, 6]);
        using var normalised = ImageTensor.FromRgb01(input);
        using var bitmap = ImageTensor.ToBitmap(normalised);

        var expected = new byte[] { 0, 255, 0, 1, 100, 101 };
        for (int x = 0; x < 6; x++)
        {
            TestImages.Pixel(bitmap, x, 0).Should().Be(new SKColor(expected[x], expected[x], expected[x], 255), $"column {x}");
        }
    }

    [Fact]
    public void ToBitmap_gives_the_bytes_of_the_tensor_arithmetic_for_any_layout_and_value()
    {
        // Random values around the whole range, values exactly halfway between two levels, and non-finite values.
        using var random = randn(1, 3, 19, 23, generator: new Generator(7)).mul_(2.5f);
        using var flat = random.view(-1);
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, HalfwayRed(100), HalfwayRed(127), HalfwayRed(128), HalfwayRed(200)];
        for (var i = 0; i < special.Length; i++)
        {
            flat[i * 31] = special[i];
        }

        using var channelsLast = random.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        using var scope = NewDisposeScope();
        var mean = tensor(MeanValues, [3, 1, 1]);
        var std = tensor(StdValues, [3, 1, 1]);
        var expected = random[0].mul(std).add_(mean).nan_to_num_(0, 1, 0).clamp_(0, 1).mul_(255f).round_().to(ScalarType.Byte).contiguous().data<byte>().ToArray();

        foreach (var image in new[] { random, channelsLast })
        {
            using var bitmap = ImageTensor.ToBitmap(image);
            for (int y = 0, plane = 19 * 23; y < 19; y++)
            {
                for (var x = 0; x < 23; x++)
                {
                    var i = (y * 23) + x;
                    TestImages.Pixel(bitmap, x, y).Should().Be(new SKColor(expected[i], expected[plane + i], expected[(2 * plane) + i], 255), $"pixel ({x}, {y})");
                }
            }
        }
    }

    /// <summary>A normalised red value whose float32 arithmetic lands exactly halfway between levels <paramref name="level"/> and the next.</summary>
    private static float HalfwayRed(int level)
    {
        var target = level + 0.5f;
        var found = new System.Collections.Generic.List<float>();
        var candidate = (((level + 0.5f) / 255f) - MeanValues[0]) / StdValues[0];
        for (var i = 0; i < 128; i++)
        {
            candidate = MathF.BitDecrement(candidate);
        }

        for (var i = 0; i < 256; i++, candidate = MathF.BitIncrement(candidate))
        {
            if (((candidate * StdValues[0]) + MeanValues[0]) * 255f == target)
            {
                found.Add(candidate);
            }
        }

        found.Should().NotBeEmpty($"some float lands exactly on {target}");
        return found[0];
    }

    [Fact]
    public void ToBitmap_accepts_chw_float64_and_maps_nan_to_zero()
    {
        using var rgb01 = tensor(new double[] { 1, double.NaN, 0.5, 0.5, 0, 1 }, [3, 1, 2], ScalarType.Float64);
        using var normalised = ImageTensor.FromRgb01(rgb01);
        normalised.dtype.Should().Be(ScalarType.Float64);
        using var bitmap = ImageTensor.ToBitmap(normalised);

        TestImages.Pixel(bitmap, 0, 0).Should().Be(new SKColor(255, 128, 0));
        TestImages.Pixel(bitmap, 1, 0).Should().Be(new SKColor(0, 128, 255));
    }

    [Fact]
    public void FromRgb01_and_ToRgb01_are_inverse_and_leave_the_input_untouched()
    {
        using var rgb01 = rand(1, 3, 5, 7, generator: new Generator(42));
        using var copy = rgb01.clone();
        using var normalised = ImageTensor.FromRgb01(rgb01);
        using var back = ImageTensor.ToRgb01(normalised);

        rgb01.allclose(copy, rtol: 0, atol: 0).Should().BeTrue();
        back.allclose(rgb01, rtol: 0, atol: 1e-6).Should().BeTrue();
        normalised[0, 1, 2, 3].item<float>().Should().BeApproximately((rgb01[0, 1, 2, 3].item<float>() - 0.456f) / 0.224f, 1e-5f);
    }

    [Fact]
    public void Resize_changes_the_size_and_keeps_rank_dtype_and_values()
    {
        using var flat = full(new long[] { 1, 3, 40, 60 }, 0.25f);
        using var smaller = ImageTensor.Resize(flat, 10, 15);
        smaller.shape.Should().Equal(1L, 3L, 10L, 15L);
        smaller.allclose(full(new long[] { 1, 3, 10, 15 }, 0.25f), rtol: 0, atol: 1e-6).Should().BeTrue();

        using var chw = rand(3, 8, 8, generator: new Generator(1));
        using var larger = ImageTensor.Resize(chw, 16, 12);
        larger.shape.Should().Equal(3L, 16L, 12L);

        using var same = ImageTensor.Resize(chw, 8, 8);
        same.allclose(chw, rtol: 0, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Results_outlive_the_callers_inner_dispose_scopes_and_inputs_are_not_disposed()
    {
        using var bitmap = TestImages.Noise(8, 6);
        using var input = rand(1, 3, 6, 8, generator: new Generator(3));
        Tensor a, b, c, d;
        using (NewDisposeScope())
        {
            a = ImageTensor.FromBitmap(bitmap, 3).DetachFromDisposeScope();
            b = ImageTensor.FromRgb01(input).DetachFromDisposeScope();
            c = ImageTensor.ToRgb01(input).DetachFromDisposeScope();
            d = ImageTensor.Resize(input, 3, 4).DetachFromDisposeScope();
            using var bmp = ImageTensor.ToBitmap(input);
        }

        using (a)
        using (b)
        using (c)
        using (d)
        {
            input.IsInvalid.Should().BeFalse();
            a.shape.Should().Equal(1L, 3L, 3L, 4L);
            b.sum().item<float>().Should().NotBe(float.NaN);
            c.IsInvalid.Should().BeFalse();
            d.IsInvalid.Should().BeFalse();
        }
    }

    [Fact]
    public void No_tensor_is_leaked()
    {
        using var bitmap = TestImages.Noise(8, 6);
        using var input = rand(1, 3, 6, 8, generator: new Generator(5));
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        ImageTensor.FromBitmap(bitmap).Dispose();
        ImageTensor.FromBitmap(bitmap, 3).Dispose();
        ImageTensor.FromRgb01(input).Dispose();
        ImageTensor.ToRgb01(input).Dispose();
        ImageTensor.Resize(input, 3, 4).Dispose();
        ImageTensor.ToBitmap(input).Dispose();

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        using var bitmap = TestImages.Noise(4, 4);
        FluentActions.Invoking(() => ImageTensor.FromBitmap(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ImageTensor.FromBitmap(bitmap, 0)).Should().Throw<ArgumentOutOfRangeException>();
        using var empty = new SKBitmap();
        FluentActions.Invoking(() => ImageTensor.FromBitmap(empty)).Should().Throw<ArgumentException>();

        using var fourChannels = zeros(1, 4, 2, 2);
        using var batch = zeros(2, 3, 2, 2);
        using var ints = zeros(new long[] { 1, 3, 2, 2 }, ScalarType.Int32);
        FluentActions.Invoking(() => ImageTensor.ToBitmap(fourChannels)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageTensor.ToBitmap(batch)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageTensor.FromRgb01(ints)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageTensor.ToRgb01(fourChannels)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageTensor.Resize(ints, 1, 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageTensor.Resize(batch, 0, 1)).Should().Throw<ArgumentOutOfRangeException>();
        using var okInts = ImageTensor.ToBitmap(ints); // any dtype is accepted by ToBitmap
        okInts.Width.Should().Be(2);
    }
}
