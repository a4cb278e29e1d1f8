namespace NeuralStyle;

/// <summary>What the optimised image starts from.</summary>
public enum Initialization
{
    /// <summary>The content image (the seed's choice and the default): keeps structure best.</summary>
    Content,

    /// <summary>Uniform noise in [0, 1) in normalised units, drawn from <see cref="StyleTransferOptions.Seed"/>.</summary>
    Noise,

    /// <summary>The image given in <see cref="StyleTransferOptions.InitialImage"/>, resized to the content's size.</summary>
    Image,

    /// <summary>The (first) style image at its working size, resized to the content's size (aspect ratio not kept).</summary>
    Style,

    /// <summary>
    /// The content blended with seeded noise: <c>(1 − r) · content + r · noise</c>, with <c>r</c> =
    /// <see cref="StyleTransferOptions.InitNoiseRatio"/> and the noise of <see cref="Noise"/>.
    /// </summary>
    Blend,
}
