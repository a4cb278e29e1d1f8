using NeuralStyle.Features;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>
/// Total-variation loss on the pixels: <c>w_t · Σ_c [Σ (x_{i,j+1} − x_{i,j})² + Σ (x_{i+1,j} − x_{i,j})²]</c>,
/// on the normalised image (<see cref="FeatureMaps.Image"/>).
/// </summary>
public sealed class TotalVariationLoss : LossBase
{
    /// <inheritdoc />
    internal override bool HandsOffEveryGradient => true;

    /// <summary>Initializes a new instance of the <see cref="TotalVariationLoss"/> class.</summary>
    /// <param name="weight">The weight <c>w_t</c>; finite and not negative.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="weight"/> is negative or not finite.</exception>
    public TotalVariationLoss(double weight)
        : base("tv", [])
    {
        Weight = Guard.FiniteNotNegative(weight);
    }

    /// <summary>Gets the weight of the term.</summary>
    /// <value>The factor <c>w_t</c>.</value>
    public double Weight { get; }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var (vertical, horizontal) = Differences(features.Image);
        return Value(vertical, horizontal);
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <c>d = x₍ᵢ₊₁₎ − xᵢ</c> along each axis, the gradient of <c>w·Σ d²</c> adds <c>2w·d</c> at <c>x₍ᵢ₊₁₎</c> and subtracts it at
    /// <c>xᵢ</c>: four slice updates of one buffer, where autograd's backward of the slices fills four image-sized zero tensors.
    /// A float32 CPU image takes both in one pass (<see cref="TotalVariationKernel"/>).
    /// </remarks>
    private protected override Tensor ComputeCore(FeatureMaps features, LayerGradients handOff)
    {
        var x = features.Image;
        if (!x.requires_grad || !is_grad_enabled())
        {
            return ComputeCore(features);
        }

        using var noGrad = no_grad();
        if (TotalVariationKernel.Applies(x))
        {
            var (variation, fromKernel) = TotalVariationKernel.Compute(x, Weight);
            handOff.AddToImage(fromKernel);
            return tensor((float)(Weight * variation), float32, x.device);
        }

        long h = x.size(-2), w = x.size(-1);
        var (vertical, horizontal) = Differences(x);
        var value = Value(vertical, horizontal);
        var gradient = zeros_like(x);
        var up = OwnScalar(2 * Weight);
        var down = OwnScalar(-2 * Weight);
        gradient.narrow(-2, 1, h - 1).add_(vertical, up);
        gradient.narrow(-2, 0, h - 1).add_(vertical, down);
        gradient.narrow(-1, 1, w - 1).add_(horizontal, up);
        gradient.narrow(-1, 0, w - 1).add_(horizontal, down);
        handOff.AddToImage(gradient);
        return value;
    }

    // The differences between neighbours, x₍ᵢ₊₁₎ − xᵢ, down the rows and along the columns.
    private static (Tensor Vertical, Tensor Horizontal) Differences(Tensor x)
    {
        long h = x.size(-2), w = x.size(-1);
        return (x.narrow(-2, 1, h - 1).sub(x.narrow(-2, 0, h - 1)), x.narrow(-1, 1, w - 1).sub(x.narrow(-1, 0, w - 1)));
    }

    private Tensor Value(Tensor vertical, Tensor horizontal) =>
        vertical.pow(OwnedScalars.Two).sum().add(horizontal.pow(OwnedScalars.Two).sum(), OwnedScalars.One).mul(OwnScalar(Weight));
}
