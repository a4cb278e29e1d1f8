using System;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>Makes preview bitmaps of the image being optimised.</summary>
internal static class Previews
{
    /// <summary>Converts the pixels (after an optional transform of the detached, normalised image) into a bitmap.</summary>
    public static SKBitmap Create(Tensor pixels, Func<Tensor, Tensor>? transform = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = pixels.detach();
        if (transform is not null)
        {
            image = transform(image);
        }

        return Imaging.ImageTensor.ToBitmap(image[0]);
    }
}
