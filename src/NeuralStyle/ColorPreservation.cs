namespace NeuralStyle;

/// <summary>How the result keeps the content image's colours.</summary>
public enum ColorPreservation
{
    /// <summary>No colour preservation (the default): the result takes the style's palette.</summary>
    None,

    /// <summary>
    /// Luminance-only transfer: optimise normally, then keep the result's luminance (Y of YCbCr, BT.601) and the content's
    /// chrominance (Cb, Cr). The content's colours are kept exactly, up to clamping to the RGB cube.
    /// </summary>
    Luminance,

    /// <summary>
    /// Colour histogram matching: before the style targets are computed, each style image's RGB mean and covariance are
    /// matched to the content's (<c>x' = C_c^{1/2} C_s^{-1/2} (x − μ_s) + μ_c</c>), so the style is painted in the content's palette.
    /// </summary>
    HistogramMatch,
}
