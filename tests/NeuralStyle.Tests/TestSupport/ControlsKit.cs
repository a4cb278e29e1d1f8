using System;
using System.Threading.Tasks;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>Small, fast options and image helpers for the tests of the artist's controls.</summary>
internal static class ControlsKit
{
    /// <summary>The Composition VII preset at 48 px (64×48 for the village), a few iterations, CPU, two threads.</summary>
    public static StyleTransferOptions Small(int size = 48, int iterations = 6) => StyleTransferPresets.CompositionVii with
    {
        ImageSize = size,
        StyleSize = size,
        Iterations = iterations,
        Runtime = StyleTransferPresets.CompositionVii.Runtime with { Device = "cpu", Threads = 2 },
        Weights = StyleTransferPresets.CompositionVii.Weights with { Path = SharedAssets.SafeTensorsWeights, AllowDownload = false },
    };

    public static Task<StyleTransferResult> Run(SKBitmap content, SKBitmap style, StyleTransferOptions options)
        => StyleTransfer.RunAsync(content, style, options, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<StyleTransferResult> Run(SKBitmap content, SKBitmap[] styles, StyleTransferOptions options)
        => StyleTransfer.RunAsync(content, styles, options, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A mask with black columns before <paramref name="split"/> and white from it (or the other way round).</summary>
    public static SKBitmap SplitMask(int width, int height, int split, bool whiteRight = true)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(whiteRight ? SKColors.Black : SKColors.White);
        using var paint = new SKPaint { Color = whiteRight ? SKColors.White : SKColors.Black, IsAntialias = false };
        canvas.DrawRect(new SKRect(split, 0, width, height), paint);
        return bitmap;
    }

    /// <summary>A strongly coloured copy of a bitmap: each channel scaled by the given factors.</summary>
    public static SKBitmap Tinted(SKBitmap source, float red, float green, float blue)
    {
        using var scope = NewDisposeScope();
        var rgb = ImageTensor.ToRgb01(ImageTensor.FromBitmap(source));
        var factors = tensor(new[] { red, green, blue }, [1, 3, 1, 1]);
        return ImageTensor.ToBitmap(ImageTensor.FromRgb01(rgb.mul(factors).clamp(0, 1)));
    }

    /// <summary>RGB in [0, 1], <c>[1,3,H,W]</c>, of a bitmap, in the current dispose scope.</summary>
    public static Tensor Rgb(SKBitmap bitmap) => ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap));

    /// <summary>Mean Y, Cb and Cr of an RGB [1,3,H,W] image (optionally of columns [from, to)).</summary>
    public static (double Y, double Cb, double Cr) MeanYCbCr(Tensor rgb01, int from = 0, int to = -1)
    {
        using var scope = NewDisposeScope();
        var columns = rgb01.narrow(3, from, (to < 0 ? rgb01.shape[3] : to) - from);
        var means = ColorTransfer.RgbToYCbCr(columns).mean([0, 2, 3]).to(ScalarType.Float64).data<double>().ToArray();
        return (means[0], means[1], means[2]);
    }

    /// <summary>Mean absolute difference of two RGB [1,3,H,W] images over columns [from, to).</summary>
    public static double MeanAbsDiff(Tensor a, Tensor b, int from, int to)
    {
        using var scope = NewDisposeScope();
        return a.narrow(3, from, to - from).sub(b.narrow(3, from, to - from)).abs().mean().item<float>();
    }

    /// <summary>Largest absolute difference of two RGB [1,3,H,W] images over columns [from, to).</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b, int from, int to)
    {
        using var scope = NewDisposeScope();
        return a.narrow(3, from, to - from).sub(b.narrow(3, from, to - from)).abs().max().item<float>();
    }

    public static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
