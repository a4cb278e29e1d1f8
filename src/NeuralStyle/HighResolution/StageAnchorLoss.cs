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
/// to its part of the previous result (cut from the upsampled start and brought back to the previous scale). Stages may also
/// hold the first stage's style statistics (<see cref="FirstStageStyle"/>); a tile holds those of its part of the first result.
/// </summary>
internal sealed class StageAnchorLoss : LossBase
{
    private readonly (Tensor Target, double Weight)[] _levels;
    private readonly FirstStageStyle? _firstStageStyle;
    private readonly StyleLoss? _firstStageStyleLoss; // against the first result's Gram matrices
    private readonly (int Height, int Width) _firstStageSize; // where the texture is compared

    /// <param name="levels">Earlier results <c>[1, 3, h, w]</c> (normalised) at their own sizes, copied, each with its weight.</param>
    /// <param name="firstStageStyle">Also holds the first level's style statistics (see <see cref="FirstStageStyle"/>), or null.</param>
    public StageAnchorLoss(IReadOnlyList<(Tensor Target, double Weight)> levels, FirstStageStyle? firstStageStyle = null)
        : base("anchor", [])
    {
        Guard.NotEmpty(levels);
        _levels = levels.Select(l => (Own(Guard.NotNull(l.Target)), Guard.FiniteNotNegative(l.Weight))).ToArray();
        if (firstStageStyle is not null)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var target = firstStageStyle.Target ?? _levels[0].Target;
            _firstStageSize = ((int)target.shape[2], (int)target.shape[3]);
            using var features = firstStageStyle.Extractor.Extract(target, firstStageStyle.Layers.Max());
            _firstStageStyleLoss = new StyleLoss(firstStageStyle.Layers, [.. firstStageStyle.Layers.Select(l => GramMatrix.Compute(features[l]))], firstStageStyle.Weights);
            _firstStageStyle = firstStageStyle;
        }
    }

    /// <inheritdoc />
    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var image = features.Image;
        Tensor? total = null;
        foreach (var (target, weight) in _levels)
        {
            var small = ImageTensor.Resize(image, (int)target.shape[2], (int)target.shape[3]);
            var term = small.sub(target).pow(OwnedScalars.Two).sum().mul(OwnScalar(weight));
            total = total is null ? term : total.add(term, OwnedScalars.One);
        }

        if (_firstStageStyle is { } style)
        {
            using var small = style.Extractor.Extract(ImageTensor.Resize(image, _firstStageSize.Height, _firstStageSize.Width), style.Layers.Max());
            total = total!.add(_firstStageStyleLoss!.Compute(small), OwnedScalars.One);
        }

        return total!;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _firstStageStyleLoss?.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// The first stage's style statistics as an anchor term: <c>Σ_l w_l Σ (G_l(down_0(x)) − G_l(P_0))²</c>, the Gram matrices of the
/// image brought down to the first level's size against those of that level's result (not of the style image). The pixel
/// anchor holds the picture; this holds its texture at the first stage's scale, into which the fine stages' strokes leak.
/// </summary>
/// <param name="Extractor">The run's extractor; not owned.</param>
/// <param name="Layers">The style layers.</param>
/// <param name="Weights">Their weights, already multiplied by <see cref="HighResolution.HighResolutionOptions.StageStyleAnchorWeight"/>.</param>
/// <param name="Target">
/// What the texture is held to, normalised, at the size it is compared at: a tile's part of the first result; null for the
/// anchor's first level (a whole image's first result). Read when the anchor is made, not kept.
/// </param>
internal sealed record FirstStageStyle(IFeatureExtractor Extractor, IReadOnlyList<int> Layers, IReadOnlyList<double> Weights, Tensor? Target = null);
