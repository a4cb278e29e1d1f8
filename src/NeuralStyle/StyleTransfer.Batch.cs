using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle;

public static partial class StyleTransfer
{
    /// <summary>
    /// Stylises many content images with one style: the style targets are computed once, and images of the same
    /// working size are optimised together as one batch (each image's update is independent, as Adam works per pixel).
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
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    public static async Task<IReadOnlyList<StyleTransferResult>> RunBatchAsync(
        IReadOnlyList<SKBitmap> contents,
        SKBitmap style,
        StyleTransferOptions? options = null,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotEmpty(contents);
        Guard.NotNull(style);
        for (var i = 0; i < contents.Count; i++)
        {
            CheckBitmap(Guard.NotNull(contents[i], $"contents[{i}]"), $"contents[{i}]");
        }

        CheckBitmap(style, nameof(style));
        options = Validated(options, 1);
        if (options.Mask is not null || options.StyleMasks is not null)
        {
            throw new ArgumentException("RunBatchAsync does not take masks: their images belong to one content image. Run masked images with RunAsync.", nameof(options));
        }

        var plans = contents.Select(c => Plan(c.Width, c.Height, [(style.Width, style.Height)], options)).ToArray();
        var weights = await ResolveWeightsAsync(options, cancellationToken).ConfigureAwait(false);
        return await OnDedicatedThread<IReadOnlyList<StyleTransferResult>>(
            () =>
            {
                var stopwatch = Stopwatch.StartNew();
                var results = new StyleTransferResult?[contents.Count];
                try
                {
                    using var scope = NewDisposeScope();
                    var images = contents.Select(c => ImageTensor.FromBitmap(c, options.ImageSize)).ToArray();
                    foreach (var group in Enumerable.Range(0, images.Length).GroupBy(i => (images[i].shape[2], images[i].shape[3])))
                    {
                        using var groupScope = NewDisposeScope();
                        var indices = group.ToArray();
                        var batch = cat(indices.Select(i => images[i]).ToArray(), 0);
                        Func<int?, Tensor>[] loaders = [side => ImageTensor.FromBitmap(style, side)];
                        using var run = Execute(batch, loaders, options, weights, progress, cancellationToken);
                        var styleImage = ImageTensor.FromBitmap(style, options.ResolveStyleSize((int)Math.Min(batch.shape[2], batch.shape[3])));
                        var perImage = EvaluatePerImage(run.Image, batch, styleImage, options, weights);
                        for (var k = 0; k < indices.Length; k++)
                        {
                            var bitmap = ImageTensor.ToBitmap(run.Image[k]);
                            results[indices[k]] = new StyleTransferResult(bitmap, perImage[k], run.Iterations, stopwatch.Elapsed, run.Image.device.ToString());
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
            },
            cancellationToken,
            $"a batch of {contents.Count} images, the first {plans[0].Describe()}",
            options.Device).ConfigureAwait(false);
    }

    /// <summary>Each image's own loss terms, on its final pixels.</summary>
    private static LossValues[] EvaluatePerImage(Tensor results, Tensor contents, Tensor styleImage, StyleTransferOptions options, string weightsPath)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var extractor = ExtractorCache.Get(Weights.WeightCache.Get(weightsPath), results.device);
        Tensor[] style = [styleImage.to(results.device)];
        var lastLayer = LastLayer(options);
        var contentLayers = options.ResolveContentLayers();
        var styleLayers = options.ResolveStyleLayers();
        var values = new LossValues[results.shape[0]];

        // The style and total-variation terms are the same for every image: the style's Gram matrices are computed once.
        using var shared = BuildLosses(extractor, contents[0].unsqueeze(0).to(results.device), style, new RegionMasks(null, null), options, contentLayers, styleLayers);
        var common = shared.Owned.Where(l => l is not ContentLoss).ToArray();
        var deepestContent = contentLayers.Max(l => l.Layer);
        for (var i = 0; i < values.Length; i++)
        {
            using var contentFeatures = extractor.Extract(contents[i].unsqueeze(0).to(results.device), deepestContent);
            var own = contentLayers.Select(l => new ContentLoss(l.Layer, contentFeatures[l.Layer], l.Weight)).ToArray();
            try
            {
                using var features = extractor.Extract(results[i].unsqueeze(0), lastLayer);
                var terms = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var loss in own.Concat(common))
                {
                    terms[loss.Name] = terms.GetValueOrDefault(loss.Name) + loss.Compute(features).item<float>();
                }

                values[i] = new LossValues(terms);
            }
            finally
            {
                foreach (var loss in own)
                {
                    loss.Dispose();
                }
            }
        }

        return values;
    }
}
