using System;
using System.Collections.Generic;
using NeuralStyle.Internal;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Inputs;

/// <summary>The entry point's checks of the images it is given, before any work.</summary>
internal static class InputChecks
{
    /// <summary>Refuses a bitmap without pixels.</summary>
    public static void Bitmap(SKBitmap bitmap, string name)
    {
        if (bitmap.Width <= 0 || bitmap.Height <= 0 || bitmap.GetPixels() == IntPtr.Zero)
        {
            throw new ArgumentException($"The {name} bitmap is empty ({bitmap.Width}×{bitmap.Height} pixels, {(bitmap.GetPixels() == IntPtr.Zero ? "no" : "with")} pixel memory).", name);
        }
    }

    /// <summary>Refuses an empty list of style images, a null one or one without pixels.</summary>
    public static void Bitmaps(IReadOnlyList<SKBitmap> styles, string name)
    {
        Guard.NotEmpty(styles, name);
        for (var i = 0; i < styles.Count; i++)
        {
            Bitmap(styles[i] ?? throw new ArgumentException($"Style image {i} is null.", name), name);
        }
    }

    /// <summary>Refuses an empty list of style tensors, a null one or one that is not a finite RGB image.</summary>
    public static void RgbTensors(IReadOnlyList<Tensor> styles, string name)
    {
        Guard.NotEmpty(styles, name);
        for (var i = 0; i < styles.Count; i++)
        {
            RgbTensor(styles[i] ?? throw new ArgumentException($"Style image {i} is null.", name), name);
        }
    }

    /// <summary>Checks the bitmaps the options carry (the initial image, the masks) with the images, before any work.</summary>
    /// <returns><paramref name="options"/>.</returns>
    public static StyleTransferOptions? OptionBitmaps(StyleTransferOptions? options)
    {
        if (options?.InitialImage is { } initial && options.Initialization == Initialization.Image)
        {
            Bitmap(initial, nameof(StyleTransferOptions.InitialImage));
        }

        if (options?.Mask is { } mask)
        {
            Bitmap(mask, nameof(StyleTransferOptions.Mask));
        }

        foreach (var styleMask in options?.StyleMasks ?? [])
        {
            Bitmap(styleMask ?? throw new ArgumentException("StyleTransferOptions.StyleMasks must not hold null entries.", nameof(options)), nameof(StyleTransferOptions.StyleMasks));
        }

        return options;
    }

    /// <summary>Refuses a tensor that is not a finite RGB image <c>[1,3,H,W]</c> or <c>[3,H,W]</c>.</summary>
    public static void RgbTensor(Tensor tensor, string name)
    {
        if (tensor.IsInvalid)
        {
            throw new ArgumentException($"The {name} tensor has been disposed.", name);
        }

        var ok = (tensor.dim() == 4 && tensor.shape[0] == 1 && tensor.shape[1] == 3) || (tensor.dim() == 3 && tensor.shape[0] == 3);
        if (!ok || !tensor.is_floating_point())
        {
            throw new ArgumentException($"Expected a float RGB tensor of shape [1,3,H,W] or [3,H,W] with values in [0, 1]; got {tensor.dtype} [{string.Join(",", tensor.shape)}].", name);
        }

        if (tensor.shape[^1] <= 0 || tensor.shape[^2] <= 0)
        {
            throw new ArgumentException($"The {name} tensor is empty: [{string.Join(",", tensor.shape)}] has no pixels.", name);
        }

        // One reduction and one read; NaN or ∞ would otherwise surface as a NaN loss after the weights were loaded.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var bad = tensor.detach().isfinite().logical_not().sum().item<long>();
        if (bad > 0)
        {
            throw new ArgumentException($"The {name} tensor holds {bad} NaN or infinite value{(bad == 1 ? string.Empty : "s")}; expected RGB values in [0, 1].", name);
        }
    }
}
