using System.Collections.Generic;

namespace NeuralStyle.Imaging;

/// <summary>The image files of one run besides its content: the style images and, optionally, the images that options take.</summary>
/// <remarks><see cref="RunImages"/> decodes them at the sizes the run works at.</remarks>
public sealed record RunImageFiles
{
    /// <summary>Gets the style image files.</summary>
    /// <value>One or more paths.</value>
    public required IReadOnlyList<string> Styles { get; init; }

    /// <summary>Gets the file of <see cref="StyleTransferOptions.InitialImage"/>.</summary>
    /// <value>A path, or <see langword="null"/> for none.</value>
    public string? InitialImage { get; init; }

    /// <summary>Gets the file of <see cref="StyleTransferOptions.Mask"/>.</summary>
    /// <value>A path, or <see langword="null"/> for none.</value>
    public string? Mask { get; init; }

    /// <summary>Gets the files of <see cref="StyleTransferOptions.StyleMasks"/>, one per style image.</summary>
    /// <value>Paths in the order of <see cref="Styles"/>, or <see langword="null"/> for none.</value>
    public IReadOnlyList<string>? StyleMasks { get; init; }
}
