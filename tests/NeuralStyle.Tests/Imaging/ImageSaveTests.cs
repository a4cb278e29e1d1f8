using System;
using System.IO;
using FluentAssertions;
using NeuralStyle.Imaging;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

/// <summary>
/// Replacing an existing output: the replaced file's permissions are kept, a symbolic link is written through (its
/// target is replaced, the link stays), and a failed save leaves the old file as it was and no temporary file.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImageSaveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Replacing_a_file_keeps_its_mode()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        var path = _temp.File("private.png");
        using var first = TestImages.Create(4, 4, (_, _) => SKColors.Red);
        using var second = TestImages.Create(6, 6, (_, _) => SKColors.Blue);
        ImageFile.Save(first, path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        ImageFile.Save(second, path);

        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "600 stays 600");
        using var saved = ImageFile.Load(path);
        saved.Width.Should().Be(6);
        Directory.GetFiles(_temp.Path).Should().ContainSingle();
    }

    [Fact]
    public void A_symbolic_link_is_written_through_and_stays_a_link()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        var targetFolder = Directory.CreateDirectory(_temp.File("real")).FullName;
        var target = Path.Combine(targetFolder, "picture.png");
        var link = _temp.File("link.png");
        using var first = TestImages.Create(4, 4, (_, _) => SKColors.Red);
        using var second = TestImages.Create(6, 6, (_, _) => SKColors.Blue);
        ImageFile.Save(first, target);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.CreateSymbolicLink(link, target);

        ImageFile.Save(second, link);

        new FileInfo(link).LinkTarget.Should().Be(target, "the link itself is not replaced");
        using (var saved = ImageFile.Load(target))
        {
            saved.Width.Should().Be(6, "the file the link points to holds the new image");
        }

        File.GetUnixFileMode(target).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Directory.GetFiles(targetFolder).Should().ContainSingle("no temporary file is left beside the target");
    }

    [Fact]
    public void A_dangling_link_creates_its_target()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        var target = _temp.File("new.png");
        var link = _temp.File("link.png");
        File.CreateSymbolicLink(link, target);
        using var image = TestImages.Create(5, 3, (_, _) => SKColors.Green);

        ImageFile.Save(image, link);

        File.Exists(target).Should().BeTrue();
        new FileInfo(link).LinkTarget.Should().Be(target);
    }

    [Fact]
    public void A_failed_save_leaves_the_old_file_and_no_temporary_file()
    {
        var path = _temp.File("kept.webp");
        using var small = TestImages.Create(8, 8, (_, _) => SKColors.Red);
        ImageFile.Save(small, path);
        var before = File.ReadAllBytes(path);
        using var tooWide = new SKBitmap(new SKImageInfo(16384, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul)); // WebP allows 16383 at most

        var act = () => ImageFile.Save(tooWide, path);

        act.Should().Throw<NeuralStyleException>().Which.Message.Should().Contain(path);
        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(_temp.Path).Should().ContainSingle();
    }
}
