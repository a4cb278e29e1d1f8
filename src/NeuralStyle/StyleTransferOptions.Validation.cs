using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;

namespace NeuralStyle;

public sealed partial record StyleTransferOptions
{
    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        ValidateInputs();
        const int maxSide = 16384;
        Check(ImageSize is null || ImageSize is >= 16 and <= maxSide, nameof(ImageSize), $"must be between 16 and {maxSide} pixels (or null for the content's size)");
        Check(StyleSize is null || StyleSize is >= 16 and <= maxSide, nameof(StyleSize), $"must be between 16 and {maxSide} pixels (or null)");
        Check(StyleScale is null || (double.IsFinite(StyleScale.Value) && StyleScale is >= MinStyleScale and <= MaxStyleScale), nameof(StyleScale), $"must be between {MinStyleScale} and {MaxStyleScale} (or null to use StyleSize)");
        Check(ContentLayer >= 0, nameof(ContentLayer), "must be a layer index (not negative)");
        CheckWeight(ContentWeight, nameof(ContentWeight));
        CheckLayers(ContentLayers, nameof(ContentLayers), allowNull: true);
        var contentCount = ContentLayers?.Count ?? 1;
        Check(ContentLayerWeights is null || ContentLayerWeights.Count == contentCount, nameof(ContentLayerWeights), $"must have one weight per content layer ({contentCount})");
        foreach (var weight in ContentLayerWeights ?? [])
        {
            CheckWeight(weight, nameof(ContentLayerWeights));
        }

        CheckLayers(StyleLayers, nameof(StyleLayers), allowNull: false);
        Check(StyleWeights is not null && StyleWeights.Count == StyleLayers.Count, nameof(StyleWeights), $"must have one weight per style layer ({StyleLayers.Count})");
        foreach (var weight in StyleWeights!)
        {
            CheckWeight(weight, nameof(StyleWeights));
        }

        Check(NormalizeStyleWeightsTo is null || (double.IsFinite(NormalizeStyleWeightsTo.Value) && NormalizeStyleWeightsTo is > 0 and <= 1e12), nameof(NormalizeStyleWeightsTo), "must be finite and between 0 (exclusive) and 1e12 (or null)");
        Check(NormalizeStyleWeightsTo is null || StyleWeights.Sum() > 0, nameof(NormalizeStyleWeightsTo), "needs style weights with a positive sum");
        Check(double.IsFinite(StyleStrength) && StyleStrength is >= 0 and <= 1000, nameof(StyleStrength), $"must be between 0 and 1000 (got {StyleStrength})");
        Check(
            StyleBlendWeights is null || (StyleBlendWeights.Count > 0 && StyleBlendWeights.All(w => double.IsFinite(w) && w is >= 0 and <= 1e12) && StyleBlendWeights.Sum() > 0),
            nameof(StyleBlendWeights),
            "must be finite, non-negative weights with a positive sum (or null for equal weights)");
        Check(StyleMasks is null || (StyleMasks.Count > 0 && StyleMasks.All(m => m is not null)), nameof(StyleMasks), "must not be empty or hold null entries");
        Check(Enum.IsDefined(PreserveColors), nameof(PreserveColors), "is not a known colour preservation");

        CheckWeight(TotalVariationWeight, nameof(TotalVariationWeight));
        Check(Iterations is >= 0 and <= 1_000_000, nameof(Iterations), "must be between 0 and 1,000,000");
        Check(Enum.IsDefined(Initialization), nameof(Initialization), "is not a known initialisation");
        Check(Initialization != Initialization.Image || InitialImage is not null, nameof(InitialImage), "must be set when Initialization is Image");
        Check(double.IsFinite(InitNoiseRatio) && InitNoiseRatio is >= 0 and <= 1, nameof(InitNoiseRatio), $"must be between 0 and 1 (got {InitNoiseRatio})");
        Check(AdditionalLosses is not null && AdditionalLosses.All(l => l is not null), nameof(AdditionalLosses), "must not be null or hold null entries");
        Check(Optimizer is not null, nameof(Optimizer), "must not be null");
        Check(HighResolution is not null, nameof(HighResolution), "must not be null");
        Check(Weights is not null, nameof(Weights), "must not be null");
        Check(Runtime is not null, nameof(Runtime), "must not be null");
        Optimizer!.Validate();
        HighResolution!.Validate();
        Runtime!.Validate();
        ValidateCheckpoints();
        Pipeline.Inputs.FeatureNetwork.For(this).CheckLayers(this);
    }

    /// <summary>Checks every option for a run with <paramref name="styleCount"/> style images.</summary>
    /// <param name="styleCount">The number of style images.</param>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="StyleBlendWeights"/> or <see cref="StyleMasks"/> do not have one entry per style image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="styleCount"/> is not positive.</exception>
    public void ValidateForStyles(int styleCount)
    {
        Guard.Positive(styleCount);
        Validate();
        Check(StyleBlendWeights is null || StyleBlendWeights.Count == styleCount, nameof(StyleBlendWeights), $"must have one weight per style image ({styleCount})");
        Check(StyleMasks is null || StyleMasks.Count == styleCount, nameof(StyleMasks), $"must have one mask per style image ({styleCount})");
    }

    private static void CheckLayers(IReadOnlyList<int>? layers, string name, bool allowNull)
    {
        if (layers is null)
        {
            Check(allowNull, name, "must name at least one layer");
            return;
        }

        Check(layers.Count > 0, name, "must name at least one layer");
        Check(layers.All(l => l >= 0), name, "must be layer indices (not negative)");
        Check(layers.Distinct().Count() == layers.Count, name, "must not repeat a layer");
    }

    private static void CheckWeight(double weight, string name) => OptionCheck.Weight(weight, name);

    private static void Check(bool ok, string name, string requirement) => OptionCheck.Require(ok, name, requirement);

    // Checks that keep bad input from reaching the worker thread, where it would fail late or obscurely.
    private void ValidateInputs()
    {
        Check(InitialImage is null || (InitialImage.Width > 0 && InitialImage.Height > 0 && InitialImage.GetPixels() != IntPtr.Zero), nameof(InitialImage), "must have pixels");
        foreach (var loss in AdditionalLosses ?? [])
        {
            if (loss is null)
            {
                continue; // reported by Validate
            }

            Check(!string.IsNullOrWhiteSpace(loss.Name), nameof(AdditionalLosses), $"must have names (a {loss.GetType().Name} has none)");
            Check(
                loss.Layers is not null && loss.Layers.All(l => l >= 0),
                nameof(AdditionalLosses),
                $"must read layer indices (not negative); '{loss.Name}' reads [{string.Join(", ", loss.Layers ?? [])}]");
        }
    }
}
