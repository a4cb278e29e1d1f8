using System;
using NeuralStyle.HighResolution;
using NeuralStyle.Internal;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Stages;

namespace NeuralStyle;

public static partial class StyleTransfer
{
    /// <summary>
    /// Predicts the peak working memory of a run that produces a <paramref name="width"/>×<paramref name="height"/> image,
    /// with the stages and tiling the options imply (coarse-to-fine, <see cref="HighResolution.HighResolutionOptions.TileSize"/>,
    /// <see cref="HighResolution.HighResolutionOptions.MaxMemoryBytes"/>): the plan <c>RunAsync</c> follows.
    /// </summary>
    /// <param name="width">The width of the result in pixels.</param>
    /// <param name="height">The height of the result in pixels.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults. Their <see cref="StyleTransferOptions.ImageSize"/> is ignored: the size given is the result's.</param>
    /// <returns>Peak bytes beyond what the process already uses, for the CPU and for a CUDA device, and the tiling chosen.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InsufficientMemoryException">The memory budget is too small for any tile; the message suggests a budget.</exception>
    public static MemoryEstimate EstimateMemory(int width, int height, StyleTransferOptions? options = null)
    {
        Guard.Positive(width);
        Guard.Positive(height);
        options ??= new StyleTransferOptions();
        options.Validate();
        var cuda = DeviceSelector.Parse(options.Runtime.Device).Type is not (null or TorchSharp.DeviceType.CPU);
        return StagePlan.Create(height, width, options, FeatureNetwork.For(options), cuda).Estimate();
    }
}
