using System;
using System.Collections.Generic;

namespace NeuralStyle.HighResolution;

/// <summary>One stage of a coarse-to-fine run.</summary>
/// <param name="Height">The image height at this stage.</param>
/// <param name="Width">The image width at this stage.</param>
/// <param name="Iterations">The iterations of this stage.</param>
/// <param name="Scale">The stage's shorter side divided by the first stage's.</param>
internal sealed record ScaleStage(int Height, int Width, int Iterations, double Scale);

/// <summary>Plans the stages of a coarse-to-fine run and the loss weights that keep the look the same across sizes.</summary>
internal static class ScalePlanner
{
    /// <summary>
    /// Plans the stages for a final size: from <paramref name="coarseSize"/> (shorter side) up by <paramref name="factor"/>
    /// per stage to the final size. A single stage when coarse-to-fine is off or the image is not larger than the coarse size.
    /// </summary>
    public static IReadOnlyList<ScaleStage> Plan(int height, int width, bool enabled, int coarseSize, double factor, int iterations, double fineIterationsFraction)
    {
        var shorter = Math.Min(height, width);
        if (!enabled || shorter <= coarseSize)
        {
            return [new ScaleStage(height, width, iterations, 1)];
        }

        var sides = new List<double>();
        for (double side = coarseSize; side < shorter - 0.5; side *= factor)
        {
            sides.Add(side);
        }

        sides.Add(shorter);
        var stages = new List<ScaleStage>(sides.Count);
        var fine = Math.Max(1, (int)Math.Round(iterations * fineIterationsFraction));
        for (var i = 0; i < sides.Count; i++)
        {
            var ratio = sides[i] / shorter;
            var h = i == sides.Count - 1 ? height : Math.Max(1, (int)Math.Round(height * ratio));
            var w = i == sides.Count - 1 ? width : Math.Max(1, (int)Math.Round(width * ratio));
            stages.Add(new ScaleStage(h, w, i == 0 ? iterations : fine, sides[i] / sides[0]));
        }

        return stages;
    }

    /// <summary>
    /// The factor for the content weight at a stage of the given scale (relative to the first). The content loss is a sum
    /// over the feature map's positions, which grow with the area (scale²), while the Gram matrices are normalised by
    /// C·H·W: dividing by the area keeps the balance of style and content that of the first stage. (Before the stage
    /// anchor, a fine stage needed scale⁻³ to stay stylised; with the anchor holding the composition, scale⁻² is measured
    /// to keep both the style and the content losses of the first stage, docs/high-resolution.md.)
    /// </summary>
    public static double ContentWeightFactor(double scale) => 1 / (scale * scale);

    /// <summary>
    /// The factor for the total-variation weight. Each stage re-synthesises the style's texture at its own scale, so pixel
    /// differences do not shrink with the size while the style's gradient per pixel falls with the area: the weight falls
    /// with the area too, as the content weight does.
    /// </summary>
    public static double TotalVariationWeightFactor(double scale) => 1 / (scale * scale);
}
