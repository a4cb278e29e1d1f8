using System;
using System.IO;
using NeuralStyle.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>The repository's own sample images (samples/images) and small bitmap helpers.</summary>
internal static class SampleImages
{
    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "images");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("samples/images not found above " + AppContext.BaseDirectory);
        }
    }

    public static SKBitmap Content() => ImageFile.Load(Path.Combine(Folder, "content-village.png"));

    public static SKBitmap Style(string name = "style-mosaic.png") => ImageFile.Load(Path.Combine(Folder, name));
}

internal static class SkBitmaps
{
    public static SKBitmap Resized(SKBitmap source, int width, int height)
    {
        using var scope = NewDisposeScope();
        var tensor = ImageTensor.FromBitmap(source);
        var rgb = ImageTensor.Resize(ImageTensor.ToRgb01(tensor), height, width);
        return ImageTensor.ToBitmap(ImageTensor.FromRgb01(rgb));
    }

    /// <summary>The mean of R, G and B in [0, 1].</summary>
    public static Tensor MeanLuma(SKBitmap bitmap)
    {
        using var scope = NewDisposeScope();
        return ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap)).mean().MoveToOuterDisposeScope();
    }
}
