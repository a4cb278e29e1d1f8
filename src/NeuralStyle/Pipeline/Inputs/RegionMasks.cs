using System.Linq;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Inputs;

/// <summary>
/// The spatial masks of a run, <c>[1,1,H,W]</c> in [0, 1] at the content's size on its device: the stylised region (where the
/// result may differ from the content) and, with per-style masks, each style's region.
/// </summary>
/// <param name="Region">The stylised region, or <see langword="null"/> for the whole image.</param>
/// <param name="PerStyle">One region per style image, or <see langword="null"/> when the styles share the region.</param>
internal sealed record RegionMasks(Tensor? Region, Tensor[]? PerStyle)
{
    /// <summary>Reads <see cref="StyleTransferOptions.Mask"/> and <see cref="StyleTransferOptions.StyleMasks"/>; tensors go to the current dispose scope.</summary>
    public static RegionMasks Create(StyleTransferOptions options, Tensor content, int styleCount)
    {
        if (options.Mask is null && options.StyleMasks is null)
        {
            return new RegionMasks(null, null);
        }

        int height = (int)content.shape[2], width = (int)content.shape[3];
        var mask = options.Mask is { } bitmap ? Load(bitmap, height, width, content.device) : null;
        if (options.StyleMasks is not { } styleMasks)
        {
            return new RegionMasks(mask, null);
        }

        var perStyle = styleMasks.Take(styleCount).Select(m => Load(m, height, width, content.device)).ToArray();
        if (mask is not null)
        {
            perStyle = perStyle.Select(m => m.mul(mask)).ToArray();
        }

        // Pixels that no style claims keep the content.
        var region = perStyle.Skip(1).Aggregate(perStyle[0], (sum, m) => sum.add(m, OwnedScalars.One)).clamp(OwnedScalars.Zero, OwnedScalars.One);
        return new RegionMasks(region, perStyle);
    }

    /// <summary>Gets a value indicating whether the run has any mask.</summary>
    public bool Any => Region is not null;

    /// <summary>Each mask's part under a tile, as views, in the current dispose scope.</summary>
    public RegionMasks Slice(int top, int left, int height, int width)
    {
        if (Region is null)
        {
            return this;
        }

        var rows = TensorIndex.Slice(top, top + height);
        var columns = TensorIndex.Slice(left, left + width);
        return new RegionMasks(Region[TensorIndex.Ellipsis, rows, columns], PerStyle?.Select(m => m[TensorIndex.Ellipsis, rows, columns]).ToArray());
    }

    /// <summary>A mask bitmap's luminance (BT.601), resized to the given size and snapped to 8-bit levels so that white is exactly 1 and black 0.</summary>
    public static Tensor Load(SKBitmap bitmap, int height, int width, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rgb = ImageTensor.ToRgb01(ImageTensor.FromBitmap(bitmap));
        var luma = ColorTransfer.RgbToYCbCr(rgb).narrow(1, 0, 1);
        if (luma.shape[2] != height || luma.shape[3] != width)
        {
            luma = ImageTensor.Resize(luma, height, width);
        }

        return luma.mul(ImageTensor.Levels).round().div(ImageTensor.Levels).clamp(OwnedScalars.Zero, OwnedScalars.One).to(device).MoveToOuterDisposeScope();
    }
}
