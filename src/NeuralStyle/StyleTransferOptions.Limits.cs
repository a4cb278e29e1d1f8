using System;
using System.Linq;

namespace NeuralStyle;

public sealed partial record StyleTransferOptions
{
    /// <summary>The default of <see cref="MaxImagePixels"/>: 64 Mi pixels (8192 × 8192), the default limit for loading an image too.</summary>
    public const long DefaultMaxImagePixels = 64L * 1024 * 1024;

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

    // Checks that keep bad input from reaching the worker thread, where it would fail late or obscurely.
    private void ValidateLimits()
    {
        Check(MaxImagePixels > 0, nameof(MaxImagePixels), "must be positive");
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
