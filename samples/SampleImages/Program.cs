using System;
using System.IO;
using SampleImages;
using SkiaSharp;

// Usage: dotnet run --project samples/SampleImages -c Release [-- <output folder>]
// Without an argument the images go to samples/images of the repository that holds the current folder.
var output = args.Length > 0 ? args[0] : Path.Combine(FindRepositoryRoot(), "samples", "images");
Directory.CreateDirectory(output);

Write(Village.Draw(512, 384), Path.Combine(output, "content-village.png"));
Write(Mosaic.Draw(512, 512), Path.Combine(output, "style-mosaic.png"));
Write(Waves.Draw(512, 512), Path.Combine(output, "style-waves.png"));
return 0;

static void Write(SKBitmap bitmap, string path)
{
    using (bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException($"Could not encode {path}.");
        File.WriteAllBytes(path, data.ToArray());
        Console.WriteLine($"wrote {path} ({bitmap.Width}x{bitmap.Height})");
    }
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository or pass the output folder as the first argument.");
}
