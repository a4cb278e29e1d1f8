using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>Makes preview bitmaps of the image being optimised.</summary>
internal static class Previews
{
    public static SKBitmap Create(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Imaging.ImageTensor.ToBitmap(pixels.detach()[0]);
    }
}
