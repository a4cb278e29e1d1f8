namespace NeuralStyle;

/// <summary>What the optimised image starts from.</summary>
public enum Initialization
{
    /// <summary>The content image (the seed's choice): keeps structure best.</summary>
    Content,

    /// <summary>Uniform noise in [0, 1) in normalised units, drawn from <see cref="StyleTransferOptions.Seed"/>.</summary>
    Noise,

    /// <summary>The image given in <see cref="StyleTransferOptions.InitialImage"/>, resized to the content's size.</summary>
    Image,
}
