using System;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Losses;

/// <summary>Content loss: <c>w_c · Σ (F_l − P_l)²</c> between the image's features and the content image's at one layer.</summary>
public sealed class ContentLoss : LossBase
{
    /// <inheritdoc />
    internal override bool HandsOffEveryGradient => true;

    private readonly Tensor _target;

    /// <summary>Initializes a new instance of the <see cref="ContentLoss"/> class.</summary>
    /// <param name="layer">The feature layer compared.</param>
    /// <param name="target">The content image's features at that layer (<c>P_l</c>); copied, not disposed.</param>
    /// <param name="weight">The weight <c>w_c</c>; finite and not negative.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is negative or not finite.</exception>
    public ContentLoss(int layer, Tensor target, double weight)
        : base("content", [Guard.NotNegative(layer)])
    {
        Layer = layer;
        Weight = Guard.FiniteNotNegative(weight);
        _target = Own(Guard.NotNull(target));
    }

    /// <summary>Gets the feature layer compared.</summary>
    /// <value>A layer index of the feature extractor.</value>
    public int Layer { get; }

    /// <summary>Gets the weight of the term.</summary>
    /// <value>The factor <c>w_c</c>.</value>
    public double Weight { get; }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features) => Value(Difference(features));

    /// <inheritdoc />
    /// <remarks>The gradient of <c>w·Σ (F − P)²</c> is <c>2w·(F − P)</c>: handed off, autograd saves nothing and runs no square's backward.</remarks>
    private protected override Tensor ComputeCore(FeatureMaps features, LayerGradients handOff)
    {
        var current = features[Layer];
        if (!current.requires_grad || !is_grad_enabled())
        {
            return ComputeCore(features);
        }

        using var noGrad = no_grad();
        var difference = Difference(features);
        var value = Value(difference);
        handOff.Add(Layer, difference.mul_(OwnScalar(2 * Weight)));
        return value;
    }

    private Tensor Value(Tensor difference) => difference.pow(OwnedScalars.Two).sum().mul(OwnScalar(Weight));

    private Tensor Difference(FeatureMaps features)
    {
        var current = features[Layer];
        if (!Dimensions.Equal(current, _target))
        {
            throw new ArgumentException(
                $"Content target at layer {Layer} has shape [{string.Join(",", _target.shape)}] but the image's features have [{string.Join(",", current.shape)}]; compute the target at the image's size.",
                nameof(features));
        }

        return current.sub(_target);
    }
}
