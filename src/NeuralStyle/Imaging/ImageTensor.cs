using System;
using System.Buffers;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuralStyle.Internal;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Imaging;

/// <summary>
/// Converts between bitmaps and image tensors: <c>[1, 3, H, W]</c> float32, RGB, normalised with the ImageNet mean and
/// standard deviation (<c>(x - mean) / std</c> for <c>x</c> in [0, 1]), as torchvision's <c>Normalize</c> does.
/// </summary>
/// <remarks>
/// Every method returns a fresh tensor or bitmap that the caller owns and never disposes its inputs. Tensors made
/// inside a TorchSharp dispose scope belong to that scope, as usual.
/// </remarks>
public static class ImageTensor
{
    /// <summary>Gets the ImageNet per-channel mean (R, G, B) used for normalisation.</summary>
    public static readonly IReadOnlyList<float> Mean = new ReadOnlyCollection<float>([0.485f, 0.456f, 0.406f]);

    /// <summary>Gets the ImageNet per-channel standard deviation (R, G, B) used for normalisation.</summary>
    public static readonly IReadOnlyList<float> Std = new ReadOnlyCollection<float>([0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// Computes the size torchvision's <c>Resize(int)</c> gives: the shorter side becomes <paramref name="shorterSide"/>
    /// and the longer side <c>(int)(shorterSide * longer / shorter)</c> (truncated). For a square image both sides become <paramref name="shorterSide"/>.
    /// </summary>
    /// <param name="width">The current width in pixels.</param>
    /// <param name="height">The current height in pixels.</param>
    /// <param name="shorterSide">The wanted length of the shorter side.</param>
    /// <returns>The new width and height.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is zero or negative, or the longer side would overflow.</exception>
    public static SKSizeI ResizedSize(int width, int height, int shorterSide)
    {
        Guard.Positive(width);
        Guard.Positive(height);
        Guard.Positive(shorterSide);
        var (newWidth, newHeight) = ResizedSize((long)width, height, shorterSide);
        if (Math.Max(newWidth, newHeight) >= int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(shorterSide), shorterSide, "The longer side of the resized image would be too large.");
        }

        return new SKSizeI((int)newWidth, (int)newHeight);
    }

    /// <summary>The arithmetic of <see cref="ResizedSize(int, int, int)"/> in 64 bits, so that absurd aspect ratios can be reported instead of overflowing.</summary>
    internal static (long Width, long Height) ResizedSize(long width, long height, int shorterSide)
    {
        long shorter = Math.Min(width, height), longer = Math.Max(width, height);
        var scaled = (long)Math.Min((double)shorterSide * longer / shorter, long.MaxValue / 2);
        return width <= height ? (shorterSide, scaled) : (scaled, shorterSide);
    }

    /// <summary>
    /// Converts a bitmap into a normalised <c>[1, 3, H, W]</c> float32 tensor on the CPU, optionally resized so that its
    /// shorter side is <paramref name="shorterSide"/> pixels.
    /// </summary>
    /// <param name="bitmap">The image; any colour type and alpha type Skia can read. It is converted to RGBA8888 unpremultiplied; translucent pixels are composited over white (rounded to 8 bits); grayscale gives three equal channels.</param>
    /// <param name="shorterSide">
    /// The wanted length of the shorter side, or <see langword="null"/> to keep the size. The size follows
    /// <see cref="ResizedSize(int, int, int)"/>. Resampling is antialiased bilinear on the 8-bit pixels (libtorch's
    /// <c>interpolate(..., antialias: true)</c> on uint8, written to match PIL), which is what torchvision's default
    /// <c>Resize</c> does. Skia's samplers were measured against it on photographs and paintings and rejected:
    /// Mitchell cubic and plain linear do not widen their kernel when shrinking and alias (mean absolute error up to
    /// 18 of 255 levels at 16× reduction), and mipmapped linear still differs by about 2 to 4 levels.
    /// </param>
    /// <returns>A new CPU tensor the caller owns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="bitmap"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The bitmap has no pixels or a colour type that cannot be converted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shorterSide"/> is zero or negative.</exception>
    public static Tensor FromBitmap(SKBitmap bitmap, int? shorterSide = null)
    {
        Guard.NotNull(bitmap);
        PixelOps.RequirePixels(bitmap, nameof(bitmap));
        NativeBackends.EnsureLibTorch();
        var size = shorterSide is { } side ? ResizedSize(bitmap.Width, bitmap.Height, side) : new SKSizeI(bitmap.Width, bitmap.Height);

        byte[] planes;
        var rgba = PixelOps.AsRgba(bitmap, out bool isCopy);
        try
        {
            planes = PixelOps.ToPlanarRgb(rgba);
        }
        finally
        {
            if (isCopy)
            {
                rgba.Dispose();
            }
        }

        using var scope = NewDisposeScope();
        var image = tensor(planes, [1, 3, bitmap.Height, bitmap.Width]);
        if (size.Width != bitmap.Width || size.Height != bitmap.Height)
        {
            image = nn.functional.interpolate(image, [size.Height, size.Width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        }

        return Normalise(image.to(ScalarType.Float32).div_(Levels)).MoveToOuterDisposeScope();
    }

    /// <summary>Normalises an RGB image with values in [0, 1]: <c>(x - mean) / std</c> per channel.</summary>
    /// <param name="rgb01">A floating-point tensor <c>[N, 3, H, W]</c> or <c>[3, H, W]</c> on any device; it is not modified.</param>
    /// <returns>A new tensor of the same shape, dtype and device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rgb01"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not a floating-point image with three channels.</exception>
    public static Tensor FromRgb01(Tensor rgb01)
    {
        RequireImage(rgb01, requireFloat: true);
        using var scope = NewDisposeScope();
        return Normalise(rgb01).MoveToOuterDisposeScope();
    }

    /// <summary>Undoes the normalisation: <c>x * std + mean</c> per channel, giving RGB values nominally in [0, 1] (not clamped).</summary>
    /// <param name="normalised">A floating-point tensor <c>[N, 3, H, W]</c> or <c>[3, H, W]</c> on any device; it is not modified.</param>
    /// <returns>A new tensor of the same shape, dtype and device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="normalised"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not a floating-point image with three channels.</exception>
    public static Tensor ToRgb01(Tensor normalised)
    {
        RequireImage(normalised, requireFloat: true);
        using var scope = NewDisposeScope();
        return Denormalise(normalised).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Converts a normalised image tensor into an opaque RGBA8888 bitmap: de-normalise, clamp to [0, 1], multiply by 255
    /// and round to the nearest integer. NaN becomes 0.
    /// </summary>
    /// <param name="normalised">A tensor <c>[1, 3, H, W]</c> or <c>[3, H, W]</c> of any dtype on any device; it is copied to the CPU as float32 once.</param>
    /// <returns>A new bitmap the caller disposes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="normalised"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not a single image with three channels.</exception>
    // A per-pixel loop that runs once per image: compiled optimised at once, not first as unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SKBitmap ToBitmap(Tensor normalised)
    {
        RequireImage(normalised, requireFloat: false);
        if (normalised.dim() == 4 && normalised.shape[0] != 1)
        {
            throw new ArgumentException($"Expected a single image [1, 3, H, W], got [{string.Join(", ", normalised.shape)}].", nameof(normalised));
        }

        int height = checked((int)normalised.shape[^2]), width = checked((int)normalised.shape[^1]);
        int count = 3 * width * height;
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var values = ArrayPool<float>.Shared.Rent(count);
        try
        {
            using (NewDisposeScope())
            using (no_grad())
            {
                // Height × width × channel order, which the optimiser's channels-last pixels already have (no copy then);
                // one copy out of the tensor, and the arithmetic below in one pass rather than six tensor operations
                // (the same float32 arithmetic, so the same bytes).
                var image = normalised.detach().to(ScalarType.Float32, CPU);
                var interleaved = (image.dim() == 4 ? image[0] : image).permute(1, 2, 0).contiguous();
                MemoryMarshal.Cast<byte, float>(interleaved.bytes).CopyTo(values);
            }

            var pixels = bitmap.GetPixelSpan();
            float meanR = Mean[0], meanG = Mean[1], meanB = Mean[2], stdR = Std[0], stdG = Std[1], stdB = Std[2];
            for (int i = 0, p = 0; i < count; i += 3, p += 4)
            {
                pixels[p] = ToByte((values[i] * stdR) + meanR);
                pixels[p + 1] = ToByte((values[i + 1] * stdG) + meanG);
                pixels[p + 2] = ToByte((values[i + 2] * stdB) + meanB);
                pixels[p + 3] = 255;
            }
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
        }

        return bitmap;
    }

    /// <summary>
    /// Resizes an image tensor with antialiased bilinear interpolation (<c>interpolate(mode: bilinear, align_corners: false, antialias: true)</c>),
    /// which matches PIL's bilinear filter when shrinking and is plain bilinear when enlarging. The values are resampled as they are
    /// (normalised or not: the operation is linear with weights that sum to one, so it commutes with the normalisation).
    /// </summary>
    /// <param name="image">A floating-point tensor <c>[N, C, H, W]</c> or <c>[C, H, W]</c> on any device; it is not modified.</param>
    /// <param name="height">The new height in pixels.</param>
    /// <param name="width">The new width in pixels.</param>
    /// <returns>A new tensor with the same leading dimensions, dtype and device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not a floating-point tensor of rank 3 or 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="height"/> or <paramref name="width"/> is zero or negative.</exception>
    public static Tensor Resize(Tensor image, int height, int width)
    {
        Guard.NotNull(image);
        Guard.Positive(height);
        Guard.Positive(width);
        if (image.dim() is not (3 or 4) || !is_floating_point(image))
        {
            throw new ArgumentException($"Expected a floating-point image [N, C, H, W] or [C, H, W], got {image.dtype} [{string.Join(", ", image.shape)}].", nameof(image));
        }

        using var scope = NewDisposeScope();
        var batched = image.dim() == 3 ? image.unsqueeze(0) : image;
        var resized = nn.functional.interpolate(batched, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: true);
        return (image.dim() == 3 ? resized.squeeze(0) : resized).MoveToOuterDisposeScope();
    }

    /// <summary>Gets 255, the 8-bit levels of a channel, as a scalar made once (see <see cref="OwnedScalars"/>).</summary>
    internal static Scalar Levels => EightBit.Levels;

    /// <summary>The range of normalised values that display as RGB in [0, 1]: per channel <c>-mean/std</c> to <c>(1-mean)/std</c>, shaped <c>[3, 1, 1]</c> like <paramref name="like"/>.</summary>
    internal static (Tensor Lower, Tensor Upper) DisplayableRange(Tensor like)
    {
        using var scope = NewDisposeScope();
        var black = zeros(3, 1, 1, like.dtype, like.device);
        var white = ones(3, 1, 1, like.dtype, like.device);
        return (Normalise(black).MoveToOuterDisposeScope(), Normalise(white).MoveToOuterDisposeScope());
    }

    private static Tensor Normalise(Tensor rgb01)
    {
        var (mean, std) = Statistics(rgb01);
        return rgb01.sub(mean).div_(std);
    }

    /// <summary>An RGB value nominally in [0, 1] as a byte: NaN is 0, the rest clamped, scaled by 255 and rounded half to even (as <c>round</c> does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ToByte(float rgb01)
    {
        var clamped = float.IsNaN(rgb01) ? 0f : Math.Clamp(rgb01, 0f, 1f);
        return (byte)MathF.Round(clamped * 255f, MidpointRounding.ToEven);
    }

    private static Tensor Denormalise(Tensor normalised)
    {
        var (mean, std) = Statistics(normalised);
        return normalised.mul(std).add_(mean, OwnedScalars.One);
    }

    // Mean and std shaped [3, 1, 1] (broadcast over [N, 3, H, W] and [3, H, W]) on the image's device and dtype.
    private static (Tensor Mean, Tensor Std) Statistics(Tensor like)
    {
        var mean = tensor(new[] { Mean[0], Mean[1], Mean[2] }, [3, 1, 1]).to(like.dtype, like.device);
        var std = tensor(new[] { Std[0], Std[1], Std[2] }, [3, 1, 1]).to(like.dtype, like.device);
        return (mean, std);
    }

    private static void RequireImage(Tensor image, bool requireFloat, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(image))] string? name = null)
    {
        Guard.NotNull(image, name);
        int rank = (int)image.dim();
        bool shapeOk = rank is 3 or 4 && image.shape[rank - 3] == 3 && image.shape[rank - 2] > 0 && image.shape[rank - 1] > 0;
        if (!shapeOk || (requireFloat && !is_floating_point(image)))
        {
            throw new ArgumentException(
                $"Expected {(requireFloat ? "a floating-point" : "an")} RGB image [N, 3, H, W] or [3, H, W], got {image.dtype} [{string.Join(", ", image.shape)}].",
                name);
        }
    }

    // A nested class, so that the scalar (and libtorch) is made at the first use, not when any member of ImageTensor is read.
    private static class EightBit
    {
        public static readonly Scalar Levels = 255f.ToScalar();
    }
}
