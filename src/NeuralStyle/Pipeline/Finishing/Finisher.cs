using System;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Finishing;

/// <summary>
/// The last step of every kind of run, and of every preview: the image brought to the result's size, the mask composite
/// (<c>m ⊙ x + (1 − m) ⊙ content</c>) and luminance-only colour preservation; then the clamp to [0, 1] and the conversion.
/// </summary>
/// <param name="content">The content at the result's size, normalised, on the device; not owned.</param>
/// <param name="region">The stylised region at the result's size, or null; not owned.</param>
/// <param name="preserveColors">The colour preservation of the run.</param>
internal sealed class Finisher(Tensor content, Tensor? region, ColorPreservation preserveColors)
{
    /// <summary>Gets a value indicating whether finishing changes an image of the result's size at all.</summary>
    public bool ChangesPixels => region is not null || preserveColors == ColorPreservation.Luminance;

    /// <summary>Applies the mask composite and luminance-only colour preservation to a normalised image of the result's size.</summary>
    public static Tensor Finish(Tensor image, Tensor content, Tensor? region, ColorPreservation preserveColors)
    {
        var x = region is null ? image : MaskedCompositeExtractor.Composite(image, region, content);
        if (preserveColors == ColorPreservation.Luminance)
        {
            var rgb = ImageTensor.ToRgb01(x).clamp(OwnedScalars.Zero, OwnedScalars.One);
            x = ImageTensor.FromRgb01(ColorTransfer.PreserveLuminance(rgb, ImageTensor.ToRgb01(content).clamp(OwnedScalars.Zero, OwnedScalars.One)));
        }

        return x;
    }

    /// <summary>Converts a finished, normalised image to RGB in [0, 1] in the layout the caller gave (<c>[1,3,H,W]</c> or <c>[3,H,W]</c>) on its device.</summary>
    public static Tensor ToRgbTensor(Tensor image, Tensor like)
    {
        var rgb = ImageTensor.ToRgb01(image).clamp(OwnedScalars.Zero, OwnedScalars.One).to(like.device);
        return like.dim() == 3 ? rgb.squeeze(0) : rgb;
    }

    /// <summary>Finishes an image of any stage's size (a stage's result or a preview): upsampled to the result's size first.</summary>
    public Tensor Apply(Tensor image)
    {
        int height = (int)content.shape[2], width = (int)content.shape[3];
        var sized = image.shape[2] == height && image.shape[3] == width ? image : ImageTensor.Resize(image, height, width);
        return ChangesPixels ? Finish(sized, content, region, preserveColors) : sized;
    }

    /// <summary>The preview transform of a stage: a function of the detached, normalised pixels (run in a dispose scope).</summary>
    public Func<Tensor, Tensor> Preview => Apply;
}
