using NeuralStyle.HighResolution;

namespace NeuralStyle.Pipeline.Objective;

/// <summary>
/// The factors a stage applies to the content and total-variation weights, so that the balance against the style stays that of
/// the first stage (see <see cref="ScalePlanner"/>).
/// </summary>
/// <param name="Content">The content weights' factor.</param>
/// <param name="TotalVariation">The total-variation weight's factor.</param>
internal readonly record struct StageWeights(double Content, double TotalVariation)
{
    /// <summary>Gets the factors of a stage at the size of the first (1 and 1).</summary>
    public static StageWeights None => new(1, 1);

    /// <summary>The factors of a stage at <paramref name="scale"/> times the first stage's size.</summary>
    public static StageWeights ForScale(double scale) => new(ScalePlanner.ContentWeightFactor(scale), ScalePlanner.TotalVariationWeightFactor(scale));
}
