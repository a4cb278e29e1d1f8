using System;
using System.IO;
using NeuralStyle.Orleans.Client;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>The weights (skipped without them, failed under CI=true) and the repository's sample images as uploads.</summary>
internal static class TestAssets
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Weights
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS");
            if (!string.IsNullOrEmpty(path) && File.Exists(path))
            {
                return Path.GetFullPath(path);
            }

            const string message = "Missing SqueezeNet weights (set NEURALSTYLE_WEIGHTS to squeezenet1_1-features.safetensors).";
            if (IsCi)
            {
                throw new InvalidOperationException(message + " CI=true requires them.");
            }

            Assert.Skip(message);
            return null!;
        }
    }

    public static string SamplesDirectory
    {
        get
        {
            var directory = AppContext.BaseDirectory;
            while (directory is not null && !Directory.Exists(Path.Combine(directory, "samples", "images")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return Path.Combine(directory ?? throw new InvalidOperationException("samples/images not found above the test binaries."), "samples", "images");
        }
    }

    public static byte[] Content => Sample("content-village.png");

    public static byte[] Style => Sample("style-mosaic.png");

    public static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(SamplesDirectory, name));

    public static StyleJobRequest Request(int size = 32, int iterations = 6, int seed = 0) => new()
    {
        Content = Content,
        Styles = [Style],
        Options = new StyleJobOptions { ImageSize = size, Iterations = iterations, Seed = seed },
    };

    public static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.CornflowerBlue);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static string NewKey() => "test-key-" + Guid.NewGuid().ToString("N");
}
