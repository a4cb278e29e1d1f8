using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline;

/// <summary>The kinds of run every option must work in, at sizes small enough for a 2-core machine.</summary>
public enum RunKind
{
    Whole,
    CoarseToFine,
    Tiled,
    Batch,
}

/// <summary>Runs one kind of run on tiny images and hands back the results with their progress.</summary>
internal static class RunKinds
{
    public static TheoryData<RunKind> All => new() { RunKind.Whole, RunKind.CoarseToFine, RunKind.Tiled, RunKind.Batch };

    /// <summary>The options of a kind: 64 px whole; 32 → 64 px coarse-to-fine; 72 px in four 64 px tiles; a batch of two at 64 px.</summary>
    public static StyleTransferOptions Options(RunKind kind, int iterations = 8)
    {
        var options = StyleTransferPresets.CompositionVii with
        {
            ImageSize = kind == RunKind.Tiled ? 72 : 64,
            StyleSize = 64,
            Iterations = iterations,
            Optimizer = StyleTransferPresets.CompositionVii.Optimizer with { ProgressInterval = 1 },
            HighResolution = StyleTransferPresets.CompositionVii.HighResolution with { CoarseToFine = CoarseToFineMode.Off },
            Runtime = StyleTransferPresets.CompositionVii.Runtime with { Device = "cpu", Threads = 2 },
            Weights = StyleTransferPresets.CompositionVii.Weights with { Path = SharedAssets.SafeTensorsWeights, AllowDownload = false },
        };
        return kind switch
        {
            RunKind.CoarseToFine => options with { HighResolution = options.HighResolution with { CoarseToFine = CoarseToFineMode.On, CoarseSize = 32 } },
            RunKind.Tiled => options with { HighResolution = options.HighResolution with { TileSize = 64, TileOverlap = 16 } },
            _ => options,
        };
    }

    /// <summary>Runs <paramref name="kind"/> on the sample content and style; a batch runs the content and its mirror image.</summary>
    public static async Task<(SKBitmap[] Results, ProgressLog Log, SKBitmap Content)> RunAsync(RunKind kind, StyleTransferOptions options)
    {
        using var source = SampleImages.Content();
        using var style = SampleImages.Style();
        var content = SkBitmaps.Resized(source, 128, 96);
        var log = new ProgressLog();
        if (kind == RunKind.Batch)
        {
            using var mirrored = Mirrored(content);
            var results = await StyleTransfer.RunBatchAsync([content, mirrored], style, options, log, TestContext.Current.CancellationToken);
            return ([.. results.Select(Take)], log, content);
        }

        using var result = await StyleTransfer.RunAsync(content, style, options, log, TestContext.Current.CancellationToken);
        return ([Take(result)], log, content);
    }

    /// <summary>The content at the result's size, RGB in [0, 1], <c>[1,3,H,W]</c>.</summary>
    public static Tensor ContentAt(SKBitmap content, SKBitmap result)
        => ImageTensor.ToRgb01(ImageTensor.FromBitmap(SkBitmaps.Resized(content, result.Width, result.Height)));

    public static Tensor Rgb(SKBitmap bitmap) => ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap));

    /// <summary>A mask of the result's size: white on the right half, black on the left.</summary>
    public static SKBitmap RightHalf(int width, int height)
    {
        var mask = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                mask.SetPixel(x, y, x >= width / 2 ? SKColors.White : SKColors.Black);
            }
        }

        return mask;
    }

    private static SKBitmap Take(StyleTransferResult result)
    {
        var copy = result.Image.Copy();
        result.Dispose();
        return copy;
    }

    private static SKBitmap Mirrored(SKBitmap bitmap)
    {
        using var scope = NewDisposeScope();
        return ImageTensor.ToBitmap(ImageTensor.FromBitmap(bitmap).flip(3)[0]);
    }
}
