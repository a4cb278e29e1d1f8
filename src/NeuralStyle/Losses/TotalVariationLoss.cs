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
        var x = features.Image;
        long h = x.shape[^2], w = x.shape[^1];
        var vertical = x.narrow(-2, 1, h - 1).sub(x.narrow(-2, 0, h - 1)).pow(OwnedScalars.Two).sum();
        var horizontal = x.narrow(-1, 1, w - 1).sub(x.narrow(-1, 0, w - 1)).pow(OwnedScalars.Two).sum();
        return vertical.add(horizontal, OwnedScalars.One).mul(OwnScalar(Weight));
    }
}
