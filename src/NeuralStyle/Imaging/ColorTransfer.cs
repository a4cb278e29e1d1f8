using System;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Imaging;

/// <summary>
/// Colour conversions and colour transfer for RGB image tensors with values in [0, 1]: YCbCr (ITU-R BT.601, full range,
/// as JPEG uses it), luminance-only transfer and mean/covariance colour matching.
/// </summary>
/// <remarks>Every method returns a fresh tensor the caller owns and never changes or disposes its inputs.</remarks>
public static class ColorTransfer
{
    // Rows give Y, Cb, Cr from R, G, B; Cb and Cr are centred on 0 (range ±0.5).
    private static readonly float[] RgbToYCbCrMatrix =
    [
        0.299f, 0.587f, 0.114f,
        -0.168736f, -0.331264f, 0.5f,
        0.5f, -0.418688f, -0.081312f,
    ];

    private static readonly float[] YCbCrToRgbMatrix =
    [
        1f, 0f, 1.402f,
        1f, -0.344136f, -0.714136f,
        1f, 1.772f, 0f,
    ];

    /// <summary>Converts RGB to YCbCr (BT.601 full range): <c>Y = 0.299 R + 0.587 G + 0.114 B</c>, Cb and Cr centred on 0.</summary>
    /// <param name="rgb01">A floating-point image <c>[N,3,H,W]</c> or <c>[3,H,W]</c>, RGB in [0, 1], on any device.</param>
    /// <returns>Y in [0, 1], Cb and Cr in [−0.5, 0.5], in the same layout, dtype and device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rgb01"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not a floating-point three-channel image.</exception>
    public static Tensor RgbToYCbCr(Tensor rgb01) => Apply(RgbToYCbCrMatrix, rgb01);

    /// <summary>Converts YCbCr (BT.601 full range, Cb and Cr centred on 0) back to RGB; the result is not clamped.</summary>
    /// <param name="ycbcr">A floating-point image <c>[N,3,H,W]</c> or <c>[3,H,W]</c> as <see cref="RgbToYCbCr"/> makes it.</param>
    /// <returns>RGB in the same layout, dtype and device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ycbcr"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not a floating-point three-channel image.</exception>
    public static Tensor YCbCrToRgb(Tensor ycbcr) => Apply(YCbCrToRgbMatrix, ycbcr);

    /// <summary>Combines the luminance (Y) of one image with the chrominance (Cb, Cr) of another, clamped to [0, 1].</summary>
    /// <param name="luminanceRgb01">The image whose luminance is kept (the stylised result), RGB in [0, 1].</param>
    /// <param name="chromaRgb01">The image whose colours are kept (the content), same shape.</param>
    /// <returns>The combined RGB image in [0, 1].</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensors are not floating-point three-channel images of the same shape.</exception>
    public static Tensor PreserveLuminance(Tensor luminanceRgb01, Tensor chromaRgb01)
    {
        RequireImage(luminanceRgb01);
        RequireImage(chromaRgb01);
        if (!luminanceRgb01.shape.AsSpan().SequenceEqual(chromaRgb01.shape))
        {
            throw new ArgumentException(
                $"The images must have the same shape; got [{string.Join(",", luminanceRgb01.shape)}] and [{string.Join(",", chromaRgb01.shape)}].",
                nameof(chromaRgb01));
        }

        using var scope = NewDisposeScope();
        var channel = luminanceRgb01.dim() - 3;
        var y = RgbToYCbCr(luminanceRgb01).narrow(channel, 0, 1);
        var cbcr = RgbToYCbCr(chromaRgb01.to(luminanceRgb01.dtype, luminanceRgb01.device)).narrow(channel, 1, 2);
        return YCbCrToRgb(cat([y, cbcr], channel)).clamp_(OwnedScalars.Zero, OwnedScalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Recolours an image so that its RGB mean and covariance match a reference's:
    /// <c>x' = C_r^{1/2} C_s^{-1/2} (x − μ_s) + μ_r</c>, with symmetric matrix square roots from eigendecompositions,
    /// computed in double precision on the CPU; the result is clamped to [0, 1].
    /// </summary>
    /// <param name="sourceRgb01">The image to recolour (the style), <c>[N,3,H,W]</c> or <c>[3,H,W]</c>, RGB in [0, 1]; statistics are pooled over its pixels.</param>
    /// <param name="referenceRgb01">The image whose colour statistics are wanted (the content), any size.</param>
    /// <param name="epsilon">Added to the source covariance's eigenvalues before the inverse square root, so flat images stay finite.</param>
    /// <returns>The recoloured image, in the source's layout, dtype and device.</returns>
    /// <exception cref="ArgumentNullException">An image is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An image is not a floating-point three-channel image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or not finite.</exception>
    public static Tensor MatchColorStatistics(Tensor sourceRgb01, Tensor referenceRgb01, double epsilon = 1e-5)
    {
        RequireImage(sourceRgb01);
        RequireImage(referenceRgb01);
        Guard.FiniteNotNegative(epsilon);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = Pixels(sourceRgb01);
        var (sourceMean, sourceCov) = Statistics(source);
        var (referenceMean, referenceCov) = Statistics(Pixels(referenceRgb01));
        var transform = SquareRoot(referenceCov, 0, inverse: false).matmul(SquareRoot(sourceCov, epsilon, inverse: true));
        var matched = transform.matmul(source.sub(sourceMean)).add(referenceMean, OwnedScalars.One).clamp_(OwnedScalars.Zero, OwnedScalars.One);

        // Back from [3, N·H·W] to the source's layout.
        var batched = sourceRgb01.dim() == 3 ? sourceRgb01.unsqueeze(0) : sourceRgb01;
        var image = matched.reshape(3, batched.shape[0], batched.shape[2], batched.shape[3]).transpose(0, 1);
        image = sourceRgb01.dim() == 3 ? image.squeeze(0) : image;
        return image.contiguous().to(sourceRgb01.dtype, sourceRgb01.device).MoveToOuterDisposeScope();
    }

    // The pixels as a [3, N·H·W] float64 CPU matrix.
    private static Tensor Pixels(Tensor rgb01)
    {
        var batched = rgb01.dim() == 3 ? rgb01.unsqueeze(0) : rgb01;
        return batched.detach().to(ScalarType.Float64, CPU).transpose(0, 1).reshape(3, -1);
    }

    private static (Tensor Mean, Tensor Covariance) Statistics(Tensor pixels)
    {
        var mean = pixels.mean([1], keepdim: true);
        var centred = pixels.sub(mean);
        using var count = pixels.shape[1].ToScalar();
        return (mean, centred.matmul(centred.t()).div(count));
    }

    // C^{1/2} or (C + εI)^{-1/2} of a symmetric positive semi-definite matrix.
    private static Tensor SquareRoot(Tensor covariance, double epsilon, bool inverse)
    {
        var (values, vectors) = linalg.eigh(covariance);
        using var shift = epsilon.ToScalar();
        var roots = values.clamp_min(OwnedScalars.Zero).add(shift, OwnedScalars.One).sqrt();
        var diagonal = inverse ? roots.reciprocal() : roots;
        return vectors.mul(diagonal.unsqueeze(0)).matmul(vectors.t());
    }

    private static Tensor Apply(float[] matrix, Tensor image)
    {
        RequireImage(image);
        using var scope = NewDisposeScope();
        var m = tensor(matrix, [3, 3]).to(image.dtype, image.device);
        var batched = image.dim() == 3 ? image.unsqueeze(0) : image;
        var converted = m.matmul(batched.reshape(batched.shape[0], 3, -1)).reshape(batched.shape);
        return (image.dim() == 3 ? converted.squeeze(0) : converted).MoveToOuterDisposeScope();
    }

    private static void RequireImage(Tensor image, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(image))] string? name = null)
    {
        Guard.NotNull(image, name);
        var rank = (int)image.dim();
        if (rank is not (3 or 4) || image.shape[rank - 3] != 3 || !is_floating_point(image))
        {
            throw new ArgumentException($"Expected a floating-point RGB image [N,3,H,W] or [3,H,W]; got {image.dtype} [{string.Join(",", image.shape)}].", name);
        }
    }
}
