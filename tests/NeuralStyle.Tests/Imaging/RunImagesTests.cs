using System;
using System.IO;
using FluentAssertions;
using NeuralStyle.Imaging;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

/// <summary>
/// <see cref="RunImages"/>: a run's inputs decoded at their working sizes — the content at ImageSize, the styles at the
/// style side the options resolve for that content, the initial image and masks at the content's longer side — and the
/// checks made before anything else is decoded.
/// </summary>
public sealed class RunImagesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Each_image_is_decoded_at_the_size_the_run_works_at_not_at_its_files_size()
    {
        var content = Png("content.png", 1200, 800);
        var style = Png("style.png", 900, 1800);
        var mask = Png("mask.png", 1600, 1600);
        var initial = Png("initial.png", 2400, 1600);
        var options = new StyleTransferOptions { ImageSize = 100, StyleScale = 1.5 };

        using var images = RunImages.Load(content, new RunImageFiles { Styles = [style], Mask = mask, InitialImage = initial, StyleMasks = [mask] }, options);

        // 1200×800 at a shorter side of 100 works at 150×100; the style side is round(1.5 × 100) = 150.
        images.WorkingSize.Should().Be(new SKSizeI(150, 100));
        images.Content!.Height.Should().BeInRange(100, 199);
        Shorter(images.Styles[0]).Should().BeInRange(150, 299, "styles are decoded for a shorter side of StyleScale × the content's");
        foreach (var cover in new[] { images.Mask!, images.InitialImage!, images.StyleMasks![0] })
        {
            // Stretched to 150×100, so decoded with the shorter side at least the content's longer side.
            Shorter(cover).Should().BeInRange(150, 299);
        }

        var applied = images.ApplyTo(options);
        applied.Mask.Should().BeSameAs(images.Mask);
        applied.InitialImage.Should().BeSameAs(images.InitialImage);
        applied.StyleMasks.Should().Equal(images.StyleMasks);
        applied.ImageSize.Should().Be(100);
    }

    [Fact]
    public void Without_a_size_every_image_keeps_its_own_size()
    {
        var content = Png("content.png", 60, 40);
        var style = Png("style.png", 90, 70);

        using var images = RunImages.Load(content, new RunImageFiles { Styles = [style] }, new StyleTransferOptions { ImageSize = null });

        images.WorkingSize.Should().Be(new SKSizeI(60, 40));
        (images.Styles[0].Width, images.Styles[0].Height).Should().Be((90, 70));
        images.ApplyTo(new StyleTransferOptions()).Mask.Should().BeNull();
    }

    [Fact]
    public void For_a_known_content_size_the_styles_follow_it_and_there_is_no_content()
    {
        var style = Png("style.png", 1000, 1000);
        var options = new StyleTransferOptions { ImageSize = 128, StyleSize = 200 };

        using var images = RunImages.LoadForContentSize(new SKSizeI(170, 128), new RunImageFiles { Styles = [style] }, options);

        images.Content.Should().BeNull();
        RunImages.StyleSide(images.WorkingSize, options).Should().Be(200);
        Shorter(images.Styles[0]).Should().BeInRange(200, 399);
    }

    [Fact]
    public void Style_masks_that_do_not_match_the_styles_are_refused_before_anything_is_decoded()
    {
        var content = Png("content.png", 64, 48);
        var files = new RunImageFiles { Styles = [Missing("a.png"), Missing("b.png")], StyleMasks = [Missing("mask.png")] };

        var act = () => RunImages.Load(content, files, new StyleTransferOptions { ImageSize = 32 });

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("StyleTransferOptions.StyleMasks").And.Contain("one per style image (2)");
    }

    [Fact]
    public void A_content_larger_than_max_image_pixels_after_resizing_is_refused_before_the_styles_are_decoded()
    {
        var content = Png("content.png", 400, 100);
        var options = new StyleTransferOptions { ImageSize = 100, Runtime = new RuntimeOptions { MaxImagePixels = 30_000 } };

        var act = () => RunImages.Load(content, new RunImageFiles { Styles = [Missing("style.png")] }, options);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("StyleTransferOptions.Runtime.MaxImagePixels").And.Contain("400×100");
    }

    [Fact]
    public void A_missing_style_file_fails_with_the_file_named()
    {
        var content = Png("content.png", 64, 48);
        var missing = Missing("nowhere.png");

        var act = () => RunImages.Load(content, new RunImageFiles { Styles = [missing] }, new StyleTransferOptions { ImageSize = 32 });

        act.Should().Throw<ImageLoadException>().Which.Message.Should().Contain("nowhere.png");
    }

    [Fact]
    public void Invalid_options_are_refused_before_any_file_is_read()
    {
        var act = () => RunImages.Load(Missing("content.png"), new RunImageFiles { Styles = [Missing("style.png")] }, new StyleTransferOptions { ImageSize = 3 });

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("ImageSize");
    }

    private static int Shorter(SKBitmap bitmap) => Math.Min(bitmap.Width, bitmap.Height);

    private string Png(string name, int width, int height)
    {
        using var bitmap = TestImages.Create(width, height, (x, y) => new SKColor((byte)x, (byte)y, 90));
        var path = _temp.File(name);
        File.WriteAllBytes(path, TestImages.Encode(bitmap, SKEncodedImageFormat.Png));
        return path;
    }

    private string Missing(string name) => _temp.File(name);
}
