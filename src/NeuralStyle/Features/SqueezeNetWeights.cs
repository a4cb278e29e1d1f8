using System;
using NeuralStyle.Weights;

namespace NeuralStyle.Features;

/// <summary>
/// The weights <see cref="SqueezeNetFeatureExtractor"/> is made for: torchvision's ImageNet-trained SqueezeNet 1.1
/// (<c>squeezenet1_1-b8a52dc0.pth</c>), the file <see cref="WeightsLocator"/> caches and downloads by default.
/// </summary>
public static class SqueezeNetWeights
{
    /// <summary>The file name of torchvision's SqueezeNet 1.1 weights, used for the cached copy.</summary>
    public const string FileName = "squeezenet1_1-b8a52dc0.pth";

    /// <summary>The SHA-256 digest (lower-case hex) of torchvision's SqueezeNet 1.1 weights file.</summary>
    public const string Sha256 = "b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b";

    /// <summary>Gets the official download address of torchvision's SqueezeNet 1.1 weights.</summary>
    /// <value><c>https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth</c>.</value>
    public static Uri DownloadUri { get; } = new("https://download.pytorch.org/models/" + FileName);

    /// <summary>Gets the descriptor of torchvision's SqueezeNet 1.1 weights, for <see cref="WeightsLocator"/>.</summary>
    public static WeightsDescriptor Descriptor { get; } = new("SqueezeNet 1.1", FileName, Sha256, DownloadUri);
}
