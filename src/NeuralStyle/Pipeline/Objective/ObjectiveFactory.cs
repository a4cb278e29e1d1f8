using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Losses;
using NeuralStyle.Pipeline.Inputs;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Objective;

/// <summary>
/// The one place where a run's terms are made, for every kind of run: the content loss against the image (or tile, or
/// batch image) being optimised, the style loss against the stage's <see cref="StyleTargets"/> (restricted to the masks'
/// regions), total variation, the coarse-to-fine stage anchor and the caller's <see cref="StyleTransferOptions.AdditionalLosses"/>.
/// </summary>
internal sealed class ObjectiveFactory(IFeatureExtractor extractor, StyleTransferOptions options)
{
    /// <summary>Gets the extractor the targets are computed with.</summary>
    public IFeatureExtractor Extractor => extractor;

    /// <summary>The style targets of a stage whose (device, normalised) style images are <paramref name="styles"/>.</summary>
    public StyleTargets Targets(Tensor[] styles, RegionMasks masks) => StyleTargets.Compute(extractor, styles, options, masks.PerStyle is not null);

    /// <summary>Makes the terms for optimising an image whose content is <paramref name="content"/>.</summary>
    /// <param name="content">The content of what is optimised (the whole image, a tile, a batch), normalised, on the device.</param>
    /// <param name="targets">The stage's style targets.</param>
    /// <param name="masks">The masks at <paramref name="content"/>'s size (a tile's slices for a tile).</param>
    /// <param name="weights">The stage's weight factors.</param>
    /// <param name="part">For a tile: its area factor and the whole stage's masks (the tile's share of the style); null for the whole image.</param>
    /// <param name="anchor">The stage anchor, made by <see cref="Anchor"/> or <see cref="TileAnchor"/>; owned by the objective.</param>
    public Objective Create(Tensor content, StyleTargets targets, RegionMasks masks, StageWeights weights, TilePart? part = null, StageAnchorLoss? anchor = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var losses = new List<LossBase>();
        try
        {
            var contentLayers = Scale(options.ResolveContentLayers(), weights.Content);
            using (var contentFeatures = extractor.Extract(content, contentLayers.Max(l => l.Layer)))
            {
                losses.AddRange(contentLayers.Select(l => new ContentLoss(l.Layer, contentFeatures[l.Layer], l.Weight)));
            }

            if (targets.PerStyle is { } perStyle)
            {
                // Each style's targets apply in its own region, scaled by its weight relative to the largest.
                var largest = targets.Blend.Max();
                for (var k = 0; k < perStyle.Length; k++)
                {
                    var share = Share(masks.PerStyle![k], part?.Whole.PerStyle![k], part);
                    if (share > 0)
                    {
                        var factor = targets.Blend[k] / largest;
                        losses.Add(new StyleLoss(targets.Layers, perStyle[k], Scale(targets.Weights.Select(w => w * factor).ToArray(), share), masks.PerStyle[k]));
                    }
                }
            }
            else if (Share(masks.Region, part?.Whole.Region, part) is var share && share > 0)
            {
                losses.Add(new StyleLoss(targets.Layers, targets.Blended!, Scale(targets.Weights, share), masks.Region));
            }

            losses.Add(new TotalVariationLoss(options.TotalVariationWeight * weights.TotalVariation));
            if (anchor is not null)
            {
                losses.Add(anchor);
            }

            return new Objective([.. losses], options.AdditionalLosses);
        }
        catch
        {
            // Targets already copied belong to the losses made so far.
            foreach (var loss in losses)
            {
                loss.Dispose();
            }

            anchor?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The anchor of a whole-image stage to the earlier stages' results, with the first stage's style statistics when
    /// <see cref="HighResolution.HighResolutionOptions.StageStyleAnchorWeight"/> is positive; null when <see cref="HighResolution.HighResolutionOptions.StageAnchorWeight"/> is 0.
    /// </summary>
    public StageAnchorLoss? Anchor(IReadOnlyList<(Tensor Image, double Weight)> earlier)
    {
        if (earlier.Count == 0 || options.HighResolution.StageAnchorWeight <= 0)
        {
            return null;
        }

        return new StageAnchorLoss(earlier, FirstStageTexture(1, null));
    }

    /// <summary>
    /// The anchor of a tile: to its part of the previous stage's result, taken from the upsampled start (<paramref name="start"/>,
    /// the tile's rectangle of it) brought back to the previous stage's size; and, when
    /// <see cref="HighResolutionOptions.StageStyleAnchorWeight"/> is positive, to the texture of its part of the first stage's
    /// result (the first of <paramref name="earlier"/>), compared at the first stage's scale (or at the smallest size the style layers take),
    /// with the tile's share <paramref name="areaFactor"/> of the weight as the style's. Null when
    /// <see cref="HighResolutionOptions.StageAnchorWeight"/> is 0 or there is no earlier stage.
    /// </summary>
    public StageAnchorLoss? TileAnchor(Tensor start, double scale, IReadOnlyList<(Tensor Image, double Weight)> earlier, TileRect tile, long stageHeight, double areaFactor)
    {
        if (earlier.Count == 0 || options.HighResolution.StageAnchorWeight <= 0)
        {
            return null;
        }

        using var scope = NewDisposeScope();
        var target = ImageTensor.Resize(start, Math.Max(1, (int)Math.Round(start.shape[2] / scale)), Math.Max(1, (int)Math.Round(start.shape[3] / scale)));
        FirstStageStyle? style = null;
        if (options.HighResolution.StageStyleAnchorWeight > 0)
        {
            var first = earlier[0].Image;
            var down = first.shape[2] / (double)stageHeight;
            var layers = options.ResolveStyleLayers();
            var factor = Math.Max(down, extractor.MinimumInputSizeUpTo(layers.Max(l => l.Layer)) / (double)Math.Min(tile.Height, tile.Width));
            int Scaled(int v, long limit) => (int)Math.Clamp(Math.Round(v * down), 0, limit);
            int top = Scaled(tile.Top, first.shape[2] - 1), left = Scaled(tile.Left, first.shape[3] - 1);
            var part = first[TensorIndex.Ellipsis, TensorIndex.Slice(top, Math.Max(top + 1, Scaled(tile.Top + tile.Height, first.shape[2]))), TensorIndex.Slice(left, Math.Max(left + 1, Scaled(tile.Left + tile.Width, first.shape[3])))];
            style = FirstStageTexture(areaFactor, ImageTensor.Resize(part, (int)Math.Round(tile.Height * factor), (int)Math.Round(tile.Width * factor)));
        }

        return new StageAnchorLoss([(target, earlier[^1].Weight)], style);
    }

    /// <summary>
    /// The weight of an earlier stage's anchor: <see cref="HighResolution.HighResolutionOptions.StageAnchorWeight"/> over that stage's area relative
    /// to the first, as the content weight, so that each anchor term (a sum over that stage's pixels) weighs the same against the style.
    /// </summary>
    public double AnchorWeight(double earlierScale) => options.HighResolution.StageAnchorWeight * ScalePlanner.ContentWeightFactor(earlierScale);

    // Gram matrices are normalised by the area they cover, so a tile's style term is scaled by its share of the region the
    // style covers in the whole image: without it the style would weigh more in a small tile than in the whole image.
    private static double Share(Tensor? mask, Tensor? wholeMask, TilePart? part)
    {
        if (part is not { } tile)
        {
            return 1;
        }

        if (mask is null || wholeMask is null)
        {
            return tile.AreaFactor;
        }

        using var scope = NewDisposeScope();
        var whole = wholeMask.sum().item<float>();
        return whole <= 0 ? 0 : mask.sum().item<float>() / whole;
    }

    // The first stage's texture term, with its weight times the share of the image it covers; null when its weight is 0.
    private FirstStageStyle? FirstStageTexture(double share, Tensor? target)
    {
        var weight = options.HighResolution.StageStyleAnchorWeight * share;
        if (weight <= 0)
        {
            return null;
        }

        var layers = options.ResolveStyleLayers();
        return new FirstStageStyle(extractor, [.. layers.Select(l => l.Layer)], [.. layers.Select(l => l.Weight * weight)], target);
    }

    private static IReadOnlyList<LayerWeight> Scale(IReadOnlyList<LayerWeight> layers, double factor)
        => factor == 1 ? layers : layers.Select(l => l with { Weight = l.Weight * factor }).ToArray();

    private static double[] Scale(double[] weights, double factor)
        => factor == 1 ? weights : weights.Select(w => w * factor).ToArray();
}

/// <summary>What a tile's objective needs to know of the whole stage.</summary>
/// <param name="AreaFactor">The tile's area over the stage's.</param>
/// <param name="Whole">The stage's masks at its full size.</param>
internal readonly record struct TilePart(double AreaFactor, RegionMasks Whole);
