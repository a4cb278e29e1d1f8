using System;
using Microsoft.Extensions.Logging;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using static NeuralStyle.Internal.OptionCheck;

namespace NeuralStyle;

/// <summary>
/// Where and within what bounds a run computes (<see cref="StyleTransferOptions.Runtime"/>): the device, the CPU threads,
/// the network the losses read, the largest image and the logger. None of them changes the picture (on one device with
/// one thread count). A sealed record: vary it with <c>with</c>.
/// </summary>
public sealed record RuntimeOptions
{
    /// <summary>The default of <see cref="MaxImagePixels"/>: 64 Mi pixels (8192 × 8192), the default limit for loading an image too.</summary>
    public const long DefaultMaxImagePixels = 64L * 1024 * 1024;

    /// <summary>Gets the device to run on.</summary>
    /// <value><c>auto</c> (default: CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</value>
    public string Device { get; init; } = "auto";

    /// <summary>Gets the number of CPU threads libtorch uses.</summary>
    /// <value>
    /// Default <see langword="null"/> (libtorch's choice, normally the number of physical cores). The run computes with this
    /// many threads even when concurrent runs ask for other counts; the value also becomes libtorch's process-wide default
    /// for threads that start later (runs that leave this <see langword="null"/> among them). On a machine whose cores are
    /// busy with other work, 1 can make small runs many times faster (libtorch's threads wait for each other).
    /// </value>
    public int? Threads { get; init; }

    /// <summary>Gets the network the losses read features from.</summary>
    /// <value>
    /// Default <see langword="null"/>: SqueezeNet 1.1 from <see cref="StyleTransferOptions.Weights"/>. Otherwise a frozen network
    /// of the caller's, not disposed by the library: the run happens on its <see cref="IFeatureExtractor.Device"/>
    /// (<see cref="Device"/> is not used), layer indices refer to its <see cref="IFeatureExtractor.LayerNames"/>, and the
    /// smallest image is its <see cref="IFeatureExtractor.MinimumInputSizeUpTo"/> the deepest layer used.
    /// </value>
    public IFeatureExtractor? FeatureExtractor { get; init; }

    /// <summary>
    /// Gets the largest number of pixels the content or style image may have after resizing. Larger runs are refused with
    /// an <see cref="ArgumentException"/> before any work, which protects against sizes the machine cannot hold and
    /// against extreme aspect ratios (a 1 × 4000 image resized to a shorter side of 192 would be 192 × 768,000).
    /// </summary>
    /// <value>
    /// Default <see cref="DefaultMaxImagePixels"/>; must be positive. Memory grows roughly in proportion to the pixels:
    /// about 1 GB per megapixel on the CPU with the default layers (content and style of that size), so a host should set
    /// it to what its machine can hold. On Linux a run that does not fit may be ended by the kernel rather than fail with
    /// <see cref="StyleTransferOutOfMemoryException"/>; this limit is the protection against that.
    /// </value>
    public long MaxImagePixels { get; init; } = DefaultMaxImagePixels;

    /// <summary>Gets the logger of the run (the weights log to <see cref="Weights.WeightsOptions.Logger"/>).</summary>
    /// <value>Default <see langword="null"/> (no logging).</value>
    public ILogger? Logger { get; init; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message and the parameter name give its path.</exception>
    public void Validate()
    {
        const string at = nameof(StyleTransferOptions.Runtime) + ".";
        Require(Threads is null || Threads is > 0 and <= 1024, at + nameof(Threads), "must be between 1 and 1024 (or null)");
        Require(MaxImagePixels > 0, at + nameof(MaxImagePixels), "must be positive");
        Require(!string.IsNullOrWhiteSpace(Device), at + nameof(Device), "must be 'auto', 'cpu', 'cuda' or 'cuda:N'");
        try
        {
            DeviceSelector.Parse(Device);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(ex.Message, at + nameof(Device), ex);
        }
    }
}
