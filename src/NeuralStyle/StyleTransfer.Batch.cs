using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Internal;
using NeuralStyle.Pipeline;
using NeuralStyle.Pipeline.Inputs;
using SkiaSharp;

namespace NeuralStyle;

public static partial class StyleTransfer
{
    /// <summary>
    /// Stylises many content images with one style: with Adam, images of the same working size are optimised together as one
    /// batch (each image's update is independent, as Adam works per pixel); with L-BFGS, whose line search and curvature
    /// history would tie the images together, each image is optimised on its own. Every option applies to every image; a
    /// <see cref="StyleTransferOptions.Mask"/> (and style masks) is resized to each image.
    /// </summary>
    /// <param name="contents">The content images. Not disposed.</param>
    /// <param name="style">The style image. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults.</param>
    /// <param name="progress">Receives the progress of each batch (losses summed over its images).</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>One result per content image, in order. <see cref="StyleTransferResultBase.FinalLosses"/> are each image's
    /// own losses, evaluated on its final image; <see cref="StyleTransferResultBase.Elapsed"/> is the whole batch's time.</returns>
    /// <exception cref="ArgumentNullException">An argument or an image is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No content image was given, an option is out of range, or an image is too small.</exception>
    /// <exception cref="InsufficientMemoryException"><see cref="HighResolution.HighResolutionOptions.MaxMemoryBytes"/> is too small for the smallest tile.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    public static async Task<IReadOnlyList<StyleTransferResult>> RunBatchAsync(
        IReadOnlyList<SKBitmap> contents, SKBitmap style, StyleTransferOptions? options = null, IProgress<StyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(contents);
        InputChecks.Bitmap(Guard.NotNull(style), nameof(style));
        for (var i = 0; i < contents.Count; i++)
        {
            InputChecks.Bitmap(Guard.NotNull(contents[i], $"contents[{i}]"), $"contents[{i}]");
        }

        var setups = contents.Select(c => StyleTransferPipeline.Prepare(InputChecks.OptionBitmaps(options), (c.Width, c.Height), [(style.Width, style.Height)], progress)).ToArray();
        var weights = await StyleTransferPipeline.ResolveWeightsAsync(setups[0], cancellationToken).ConfigureAwait(false);
        var results = new StyleTransferResult?[contents.Count];
        try
        {
            // L-BFGS steps the whole batch as one vector: each image runs alone, so that it ends as it would in a single run.
            var together = setups[0].Options.Optimizer.Kind == Optimization.OptimizerKind.Adam;
            foreach (var group in Enumerable.Range(0, contents.Count).GroupBy(i => together ? (object)setups[i].Sizes : i))
            {
                int[] indices = [.. group];
                var setup = setups[indices[0]];
                var done = await DedicatedThread.Run(
                    () => StyleTransferPipeline.ExecuteBatch([.. indices.Select(i => contents[i])], style, setup, weights, setups[0].Clock, cancellationToken),
                    setup,
                    cancellationToken,
                    $"a batch of {indices.Length} images, {setup.Sizes.Describe()}").ConfigureAwait(false);
                for (var k = 0; k < indices.Length; k++)
                {
                    results[indices[k]] = done[k];
                }
            }

            return results.Select(r => r!).ToArray();
        }
        catch
        {
            foreach (var result in results)
            {
                result?.Dispose();
            }

            throw;
        }
    }
}
