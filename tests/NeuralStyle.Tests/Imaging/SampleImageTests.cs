using System;
using System.IO;
using FluentAssertions;
using NeuralStyle.Imaging;
using Xunit;

namespace NeuralStyle.Tests.Imaging;

public sealed class SampleImageTests
{
    [Theory]
    [InlineData("content-village.png", 512, 384)]
    [InlineData("style-mosaic.png", 512, 512)]
    [InlineData("style-waves.png", 512, 512)]
    public void Repository_sample_images_load(string name, int width, int height)
    {
        using var bitmap = ImageFile.Load(Path.Combine(SamplesFolder(), name));
        bitmap.Width.Should().Be(width);
        bitmap.Height.Should().Be(height);
        using var image = ImageTensor.FromBitmap(bitmap, 128);
        image.shape[2].Should().Be(128);
    }

    private static string SamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "images");
            if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/images was not found above " + AppContext.BaseDirectory);
    }
}
