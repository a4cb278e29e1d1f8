namespace NeuralStyle.HighResolution;

/// <summary>Whether an image is made in one pass or coarse-to-fine.</summary>
public enum CoarseToFineMode
{
    /// <summary>Coarse-to-fine when the image's shorter side exceeds <see cref="HighResolution.HighResolutionOptions.CoarseToFineThreshold"/>.</summary>
    Auto,

    /// <summary>Always one pass at the final size.</summary>
    Off,

    /// <summary>Always coarse-to-fine (when the image is larger than <see cref="HighResolution.HighResolutionOptions.CoarseSize"/>).</summary>
    On,
}
