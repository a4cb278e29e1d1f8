using System;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Losses;

/// <summary>
/// The short-term temporal loss of Ruder, Dosovitskiy and Brox (2016): <c>λ · Σ c ⊙ (x − w)²</c>, where <c>x</c> is the
/// image being optimised (<see cref="FeatureMaps.Image"/>, normalised units), <c>w</c> the previous stylised frame warped
/// into this frame along the optical flow, <c>c</c> per-pixel weights in [0, 1] (0 where the flow cannot be trusted:
/// occlusions, motion boundaries, pixels that came from outside the frame). Like the content loss it is a sum over the
/// pixels, not a mean, so its balance against the content and style terms does not change with the image size.
/// </summary>
/// <remarks>
/// An ordinary <see cref="ILoss"/>: pass it in <see cref="StyleTransferOptions.AdditionalLosses"/> of any still run whose
/// result has the target's size (for example with <see cref="StyleTransferOptions.ImageSize"/> <see langword="null"/> and a
/// content image of that size). It reads only the pixels, so it adds no network layers.
/// </remarks>
public sealed class TemporalLoss : LossBase
{
    private readonly Tensor _target;
    private readonly Tensor _weights;
    private readonly double _weight;

    /// <summary>Initializes a new instance of the <see cref="TemporalLoss"/> class.</summary>
    /// <param name="target">The warped previous frame: <c>[1,3,H,W]</c> float, normalised as <see cref="Imaging.ImageTensor"/> normalises. Copied; not disposed.</param>
    /// <param name="pixelWeights">The per-pixel weights <c>c</c>: <c>[1,1,H,W]</c> (shared by the channels) or <c>[1,3,H,W]</c>, values in [0, 1]. Copied; not disposed.</param>
    /// <param name="weight">The weight <c>λ</c>; finite and not negative.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="pixelWeights"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong shape, the shapes do not match, or <paramref name="weight"/> is out of range.</exception>
    public TemporalLoss(Tensor target, Tensor pixelWeights, double weight)
        : base("temporal", [])
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pixelWeights);
        if (target.dim() != 4 || target.shape[0] != 1 || target.shape[1] != 3)
        {
            throw new ArgumentException($"The temporal loss's target must be [1,3,H,W]; got [{string.Join(",", target.shape)}].", nameof(target));
        }

        if (pixelWeights.dim() != 4 || pixelWeights.shape[0] != 1 || pixelWeights.shape[1] is not (1 or 3)
            || pixelWeights.shape[2] != target.shape[2] || pixelWeights.shape[3] != target.shape[3])
        {
            throw new ArgumentException(
                $"The temporal loss's pixel weights must be [1,1,H,W] or [1,3,H,W] with the target's H and W ({target.shape[2]}×{target.shape[3]}); got [{string.Join(",", pixelWeights.shape)}].",
                nameof(pixelWeights));
        }

        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentException($"The temporal loss's weight must be finite and not negative (got {weight}).", nameof(weight));
        }

        _target = Own(target.to(float32));
        _weights = Own(pixelWeights.to(float32).expand(1, 3, target.shape[2], target.shape[3]).contiguous());
        _weight = weight;
    }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var image = features.Image;
        if (image.dim() != 4 || image.shape[1] != 3 || image.shape[2] != _target.shape[2] || image.shape[3] != _target.shape[3])
        {
            throw new ArgumentException(
                $"The temporal loss was made for {_target.shape[3]}×{_target.shape[2]} images; the image being optimised is [{string.Join(",", image.shape)}].",
                nameof(features));
        }

        var target = _target.device == image.device ? _target : _target.to(image.device);
        var weights = _weights.device == image.device ? _weights : _weights.to(image.device);
        return image.sub(target).pow(OwnScalar(2)).mul(weights).sum().mul(OwnScalar(_weight));
    }
}
