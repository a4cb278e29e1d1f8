using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Inputs;

/// <summary>
/// A run's images as the pipeline takes them: the content, normalised on the CPU at its working size (<c>[N,3,H,W]</c>, N
/// images of a batch), and one loader per style image (shorter side, or null for its own size → normalised CPU tensor).
/// </summary>
/// <param name="Content">The content, normalised, on the CPU; not owned.</param>
/// <param name="StyleLoaders">The style images' loaders.</param>
internal sealed record RunInputs(Tensor Content, IReadOnlyList<Func<int?, Tensor>> StyleLoaders)
{
    /// <summary>The inputs of a bitmap run.</summary>
    public static RunInputs FromBitmaps(SkiaSharp.SKBitmap content, IReadOnlyList<SkiaSharp.SKBitmap> styles, int? imageSize)
        => new(ImageTensor.FromBitmap(content, imageSize), [.. styles.Select(s => (Func<int?, Tensor>)(side => ImageTensor.FromBitmap(s, side)))]);

    /// <summary>The inputs of a tensor run (RGB in [0, 1], <c>[1,3,H,W]</c> or <c>[3,H,W]</c>, on any device).</summary>
    public static RunInputs FromTensors(Tensor content, IReadOnlyList<Tensor> styles, int? imageSize)
        => new(FromRgb01(content, imageSize), [.. styles.Select(s => (Func<int?, Tensor>)(side => FromRgb01(s, side)))]);

    /// <summary>
    /// Loads the styles at <paramref name="styleSide"/>, checks their size, moves the content of this stage and the styles to the
    /// device and, with <see cref="ColorPreservation.HistogramMatch"/>, gives the styles the content's colour statistics.
    /// </summary>
    public (Tensor Content, Tensor[] Styles) Prepare(Tensor stageContent, StyleTransferOptions options, int? styleSide, int minimum, Device device)
    {
        var styleImages = StyleLoaders.Select(load => load(styleSide)).ToArray();
        foreach (var styleImage in styleImages)
        {
            InputSizes.CheckMinimum(styleImage, "style", minimum);
        }

        var content = stageContent.to(device);
        var styles = styleImages.Select(s => s.to(device)).ToArray();
        if (options.PreserveColors == ColorPreservation.HistogramMatch)
        {
            using var noGrad = no_grad();
            var contentRgb = ImageTensor.ToRgb01(content);
            styles = styles.Select(s => ImageTensor.FromRgb01(ColorTransfer.MatchColorStatistics(ImageTensor.ToRgb01(s), contentRgb))).ToArray();
        }

        return (content, styles);
    }

    /// <summary>The image the first stage starts from (<see cref="StyleTransferOptions.Initialization"/>), with the content's shape.</summary>
    public static Tensor Initial(Tensor content, Tensor style, StyleTransferOptions options)
    {
        int height = (int)content.shape[2], width = (int)content.shape[3];
        switch (options.Initialization)
        {
            case Initialization.Noise:
                return Noise(content, options.Seed);
            case Initialization.Blend:
                using (var kept = (1 - options.InitNoiseRatio).ToScalar())
                using (var ratio = options.InitNoiseRatio.ToScalar())
                {
                    return content.mul(kept).add(Noise(content, options.Seed).mul(ratio), OwnedScalars.One);
                }

            case Initialization.Image:
                return Batched(ImageTensor.Resize(ImageTensor.FromBitmap(options.InitialImage!), height, width).to(content.device), content);
            case Initialization.Style:
                return Batched(ImageTensor.Resize(style, height, width), content);
            default:
                return content;
        }
    }

    // One starting picture for every image of a batch.
    private static Tensor Batched(Tensor image, Tensor content)
        => content.shape[0] == image.shape[0] ? image : image.expand(content.shape).contiguous();

    // Uniform noise in [0, 1), drawn on the CPU from a seeded generator so that it is the same on every device.
    private static Tensor Noise(Tensor like, int seed)
    {
        using var generator = new Generator((ulong)(uint)seed, CPU);
        return rand(like.shape, generator: generator).to(like.device);
    }

    private static Tensor FromRgb01(Tensor rgb01, int? shorterSide)
    {
        var batched = rgb01.dim() == 3 ? rgb01.unsqueeze(0) : rgb01;
        var cpu = batched.detach().to(float32).cpu();
        if (shorterSide is { } side)
        {
            var size = ImageTensor.ResizedSize((int)cpu.shape[3], (int)cpu.shape[2], side);
            if (size.Height != cpu.shape[2] || size.Width != cpu.shape[3])
            {
                cpu = ImageTensor.Resize(cpu, size.Height, size.Width);
            }
        }

        return ImageTensor.FromRgb01(cpu);
    }
}
