using System.Linq;
using NeuralStyle.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// How far an image carries a style, measured apart from the library's losses: the style loss
/// <c>Σ_l w_l ‖G_l(x) − G_l(s)‖²</c> with <c>G = F Fᵀ / (C·H·W)</c> over the options' style layers and weights, written
/// here with plain tensor arithmetic, relative to the same loss of the unstylised content at the same size (1 means
/// nothing of the style was taken, as docs/controls measure it).
/// </summary>
internal static class StyleMeasure
{
    public static double RelativeStyleLoss(SKBitmap result, SKBitmap content, SKBitmap style, StyleTransferOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var layers = options.StyleLayers.ToArray();
        var weights = options.StyleWeights.ToArray();
        var extractor = Extractors.Cpu;
        var last = layers.Max();
        var shorter = System.Math.Min(result.Width, result.Height);
        using var resultMaps = extractor.Extract(ImageTensor.FromBitmap(result), last);
        using var contentMaps = extractor.Extract(ImageTensor.FromBitmap(content, shorter), last);
        using var styleMaps = extractor.Extract(ImageTensor.FromBitmap(style, options.StyleSize), last);
        double resultLoss = 0, contentLoss = 0;
        for (var i = 0; i < layers.Length; i++)
        {
            var target = Gram(styleMaps[layers[i]]);
            resultLoss += weights[i] * Gram(resultMaps[layers[i]]).sub(target).square().sum().item<float>();
            contentLoss += weights[i] * Gram(contentMaps[layers[i]]).sub(target).square().sum().item<float>();
        }

        return resultLoss / contentLoss;
    }

    private static Tensor Gram(Tensor map)
    {
        long c = map.shape[1], h = map.shape[2], w = map.shape[3];
        var f = map[0].reshape(c, h * w);
        return f.mm(f.t()).div(c * h * w);
    }
}
