using System.Collections.Generic;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// Wraps an extractor so that the losses see <c>m ⊙ x + (1 − m) ⊙ b</c> instead of the optimised pixels <c>x</c>: where the
/// mask <c>m</c> is 0 the image is exactly the background <c>b</c> (the content) and receives no gradient, soft values blend.
/// </summary>
/// <remarks>
/// A finite penalty cannot hold pixels in place under Adam, whose first step moves every pixel with a non-zero gradient by
/// about the learning rate; a zero gradient leaves them untouched. The composite is created in the caller's dispose scope
/// (the optimiser runs each step in one). Neither the mask, the background nor the inner extractor are owned.
/// </remarks>
internal sealed class MaskedCompositeExtractor(IFeatureExtractor inner, Tensor mask, Tensor background) : IFeatureExtractor
{
    private readonly IFeatureExtractor _inner = Guard.NotNull(inner);
    private readonly Tensor _mask = Guard.NotNull(mask);
    private readonly Tensor _background = Guard.NotNull(background);

    public string Name => _inner.Name;

    public IReadOnlyList<string> LayerNames => _inner.LayerNames;

    public int MinimumInputSize => _inner.MinimumInputSize;

    public int MinimumInputSizeUpTo(int lastLayer) => _inner.MinimumInputSizeUpTo(lastLayer);

    public Device Device => _inner.Device;

    /// <summary>Blends an image with the background through the mask: <c>m ⊙ x + (1 − m) ⊙ b</c>.</summary>
    public static Tensor Composite(Tensor image, Tensor mask, Tensor background)
        => image.mul(mask).add(background.mul(mask.neg().add_(OwnedScalars.One, OwnedScalars.One)), OwnedScalars.One);

    public FeatureMaps Extract(Tensor image, int lastLayer) => _inner.Extract(Composite(image, _mask, _background), lastLayer);

    public void Dispose()
    {
        // Nothing is owned.
    }
}
