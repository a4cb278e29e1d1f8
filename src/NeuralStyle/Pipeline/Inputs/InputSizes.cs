using System;
using System.Collections.Generic;
using System.Globalization;
using NeuralStyle.Imaging;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Inputs;

/// <summary>The sizes a run's images will have after resizing, checked against the network and the pixel limit before any work.</summary>
/// <param name="ContentWidth">The content's width after <see cref="StyleTransferOptions.ImageSize"/>.</param>
/// <param name="ContentHeight">The content's height after <see cref="StyleTransferOptions.ImageSize"/>.</param>
/// <param name="StyleWidth">The last style image's width after resizing.</param>
/// <param name="StyleHeight">The last style image's height after resizing.</param>
internal readonly record struct InputSizes(long ContentWidth, long ContentHeight, long StyleWidth, long StyleHeight)
{
    /// <summary>Says what a run of these sizes does, for an out-of-memory message.</summary>
    public string Describe()
        => $"a style transfer of a {ContentWidth}×{ContentHeight} content image with a {StyleWidth}×{StyleHeight} style image";

    /// <summary>Checks the sizes the images will have after resizing.</summary>
    /// <exception cref="ArgumentException">An image would be too small for the layers used or larger than <see cref="RuntimeOptions.MaxImagePixels"/>.</exception>
    public static InputSizes Check(long contentWidth, long contentHeight, IReadOnlyList<(long Width, long Height)> styles, StyleTransferOptions options, int minimum)
    {
        var content = CheckTarget("content", contentWidth, contentHeight, options.ImageSize, nameof(StyleTransferOptions.ImageSize), minimum, options.Runtime.MaxImagePixels);
        var styleSide = options.ResolveStyleSize((int)Math.Min(content.Width, content.Height));
        (long Width, long Height) style = default;
        foreach (var (width, height) in styles)
        {
            style = CheckTarget("style", width, height, styleSide, nameof(StyleTransferOptions.StyleSize), minimum, options.Runtime.MaxImagePixels);
        }

        return new InputSizes(content.Width, content.Height, style.Width, style.Height);
    }

    /// <summary>Checks that an image tensor <c>[N,3,H,W]</c> is at least <paramref name="minimum"/> pixels a side.</summary>
    /// <exception cref="ArgumentException">It is smaller.</exception>
    public static void CheckMinimum(Tensor image, string which, int minimum)
        => CheckMinimum(which, image.shape[3], image.shape[2], minimum);

    private static void CheckMinimum(string which, long width, long height, int minimum)
    {
        if (width < minimum || height < minimum)
        {
            throw new ArgumentException(
                $"The {which} image is {width}×{height} pixels after resizing; the network needs at least {minimum}×{minimum} for the layers used.",
                which);
        }
    }

    /// <summary>An image's size after resizing its shorter side to <paramref name="shorterSide"/> (its own size for null), checked against <paramref name="minimum"/> and <paramref name="maxPixels"/>.</summary>
    internal static (long Width, long Height) CheckTarget(string which, long width, long height, int? shorterSide, string sizeOption, int minimum, long maxPixels)
    {
        var (w, h) = shorterSide is { } side ? ImageTensor.ResizedSize(width, height, side) : (width, height);
        CheckMinimum(which, w, h, minimum);

        // In doubles: the product of two absurd sides may not fit in a long.
        var pixels = (double)w * h;
        if (pixels > maxPixels)
        {
            var resized = shorterSide is null ? string.Empty : $" when its shorter side is resized to {shorterSide} (StyleTransferOptions.{sizeOption})";
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {which} image ({width}×{height}) would be {w}×{h} pixels{resized}, more than StyleTransferOptions.Runtime.MaxImagePixels ({maxPixels:N0}). Use a smaller size or an image with a less extreme aspect ratio, or raise the limit if the machine has the memory."),
                which);
        }

        return (w, h);
    }
}
