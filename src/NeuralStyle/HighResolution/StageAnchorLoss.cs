using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using static TorchSharp.torch;

namespace NeuralStyle.HighResolution;

/// <summary>
/// Ties a coarse-to-fine stage to the stages before it: <c>Σ_j w_j · Σ (down_j(x) − P_j)²</c>, where <c>down_j</c> is the
/// antialiased bilinear downsampling of the generated image to earlier stage <c>j</c>'s size and <c>P_j</c> that stage's
/// result. The low frequencies — the composition, the colours, the strokes the earlier stages painted — stay as they were,
/// and the stage adds what only its size can hold: sharper content and finer strokes. A tile of a tiled stage is anchored
/// to its part of the previous result (cut from the upsampled start and brought back to the previous scale).
/// </summary>
internal sealed class StageAnchorLoss : LossBase
{
    private readonly (Tensor Target, double Weight)[] _levels;

    /// <param name="levels">Earlier results <c>[1, 3, h, w]</c> (normalised) at their own sizes, copied, each with its weight.</param>
    public StageAnchorLoss(IReadOnlyList<(Tensor Target, double Weight)> levels)
        : base("anchor", [])
    {
        Guard.NotEmpty(levels);
        _levels = levels.Select(l => (Own(Guard.NotNull(l.Target)), Guard.FiniteNotNegative(l.Weight))).ToArray();
    }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var image = features.Image;
        Tensor? total = null;
        foreach (var (target, weight) in _levels)
        {
            var small = ImageTensor.Resize(image, (int)target.shape[2], (int)target.shape[3]);
            var term = small.sub(target).square().sum().mul(weight);
            total = total is null ? term : total.add(term);
        }

        return total!;
    }
}
