using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Pipeline;
using NeuralStyle.Pipeline.Finishing;
using NeuralStyle.Pipeline.Inputs;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle;

/// <summary>
/// The entry point: paints a content image in the style of a style image (Gatys et al.), by default with SqueezeNet 1.1 features.
/// </summary>
/// <example>
/// <code>
/// using var content = ImageFile.Load("photo.jpg");
/// using var style = ImageFile.Load("painting.jpg");
/// using var result = await StyleTransfer.RunAsync(content, style, StyleTransferPresets.StarryNight);
/// ImageFile.Save(result.Image, "out.png");
/// </code>
/// </example>
public static partial class StyleTransfer
{
    /// <summary>Stylises a bitmap.</summary>
    /// <param name="content">The content image (any colour type; alpha is composited on white). Not disposed.</param>
    /// <param name="style">The style image. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults (the seed's Composition VII preset).</param>
    /// <param name="progress">Receives each phase as it starts and progress every <see cref="Optimization.OptimizerOptions.ProgressInterval"/> iterations, from the run's threads.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised bitmap and the final losses; dispose the result.</returns>
    /// <remarks>
    /// The work runs on a dedicated thread (TorchSharp's dispose scopes and grad mode are per thread); the caller is not blocked.
    /// Any number of runs may go on at once from different threads; on the CPU each gives the bytes it gives alone.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="style"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or an image is empty, smaller than the network's minimum input after resizing, or larger than
    /// <see cref="RuntimeOptions.MaxImagePixels"/> after resizing. Checked before the weights are loaded.
    /// </exception>
    /// <exception cref="InsufficientMemoryException"><see cref="HighResolution.HighResolutionOptions.MaxMemoryBytes"/> is too small for the smallest tile; the message suggests a budget. Checked before the weights are loaded.</exception>
    /// <exception cref="Weights.WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="Weights.WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss or the image became NaN or infinite.</exception>
    /// <exception cref="StyleTransferOutOfMemoryException">libtorch could not allocate the memory the run needs; the process can go on.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<StyleTransferResult> RunAsync(
        SKBitmap content, SKBitmap style, StyleTransferOptions? options = null, IProgress<StyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        InputChecks.Bitmap(Guard.NotNull(content), nameof(content));
        InputChecks.Bitmap(Guard.NotNull(style), nameof(style));
        return RunAsync(content, [style], options, progress, cancellationToken);
    }

    /// <summary>Stylises a bitmap with several style images, blended by <see cref="StyleTransferOptions.StyleBlendWeights"/> or placed by <see cref="StyleTransferOptions.StyleMasks"/>.</summary>
    /// <inheritdoc cref="RunAsync(SKBitmap, SKBitmap, StyleTransferOptions?, IProgress{StyleTransferProgress}?, CancellationToken)"/>
    /// <param name="content">The content image (any colour type; alpha is composited on white). Not disposed.</param>
    /// <param name="styles">One or more style images; with one, this is the single-style overload. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults (equal blend weights).</param>
    /// <param name="progress">Receives each phase as it starts and progress every <see cref="Optimization.OptimizerOptions.ProgressInterval"/> iterations.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    public static async Task<StyleTransferResult> RunAsync(
        SKBitmap content, IReadOnlyList<SKBitmap> styles, StyleTransferOptions? options = null, IProgress<StyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        InputChecks.Bitmap(Guard.NotNull(content), nameof(content));
        InputChecks.Bitmaps(styles, nameof(styles));

        var setup = StyleTransferPipeline.Prepare(InputChecks.OptionBitmaps(options), (content.Width, content.Height), [.. styles.Select(s => ((long)s.Width, (long)s.Height))], progress);
        var weights = await StyleTransferPipeline.ResolveWeightsAsync(setup, cancellationToken).ConfigureAwait(false);
        return await DedicatedThread.Run(
            () =>
            {
                using var scope = NewDisposeScope();
                setup.Progress.Phase(StyleTransferPhase.PreparingInputs);
                using var run = StyleTransferPipeline.Execute(RunInputs.FromBitmaps(content, styles, setup.Options.ImageSize), setup, weights, cancellationToken);
                return new StyleTransferResult(ImageTensor.ToBitmap(run.Image), run.FinalLosses, run.Iterations, setup.Clock.Elapsed, run.Image.device.ToString());
            },
            setup,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stylises an image tensor.</summary>
    /// <inheritdoc cref="RunAsync(SKBitmap, SKBitmap, StyleTransferOptions?, IProgress{StyleTransferProgress}?, CancellationToken)"/>
    /// <param name="content">The content image: <c>[1,3,H,W]</c> or <c>[3,H,W]</c> float, RGB in [0, 1], on any device. Not disposed.</param>
    /// <param name="style">The style image, in either layout. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults. Sizes resize the tensors as they resize bitmaps.</param>
    /// <param name="progress">Receives each phase as it starts and progress every <see cref="Optimization.OptimizerOptions.ProgressInterval"/> iterations.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised image, RGB in [0, 1] in the content's layout (<c>[3,H,W]</c> in gives <c>[3,H,W]</c> out) on its device, and the final losses; dispose the result.</returns>
    /// <remarks>The work runs on a dedicated thread; do not dispose the input tensors before the task completes.</remarks>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or a tensor has the wrong shape, has been disposed, is empty, holds NaN or infinite values,
    /// or is too small or too large (<see cref="RuntimeOptions.MaxImagePixels"/>) after resizing. Checked before the weights are loaded.
    /// </exception>
    public static Task<TensorStyleTransferResult> RunAsync(
        Tensor content, Tensor style, StyleTransferOptions? options = null, IProgress<StyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        InputChecks.RgbTensor(Guard.NotNull(content), nameof(content));
        InputChecks.RgbTensor(Guard.NotNull(style), nameof(style));
        return RunAsync(content, [style], options, progress, cancellationToken);
    }

    /// <summary>Stylises an image tensor with several style images, blended by <see cref="StyleTransferOptions.StyleBlendWeights"/> or placed by <see cref="StyleTransferOptions.StyleMasks"/>.</summary>
    /// <inheritdoc cref="RunAsync(Tensor, Tensor, StyleTransferOptions?, IProgress{StyleTransferProgress}?, CancellationToken)"/>
    /// <param name="content">The content image: <c>[1,3,H,W]</c> or <c>[3,H,W]</c> float, RGB in [0, 1], on any device. Not disposed.</param>
    /// <param name="styles">One or more style images, in either layout. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults (equal blend weights).</param>
    /// <param name="progress">Receives each phase as it starts and progress every <see cref="Optimization.OptimizerOptions.ProgressInterval"/> iterations.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    public static async Task<TensorStyleTransferResult> RunAsync(
        Tensor content, IReadOnlyList<Tensor> styles, StyleTransferOptions? options = null, IProgress<StyleTransferProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        InputChecks.RgbTensor(Guard.NotNull(content), nameof(content));
        InputChecks.RgbTensors(styles, nameof(styles));

        var setup = StyleTransferPipeline.Prepare(InputChecks.OptionBitmaps(options), (content.shape[^1], content.shape[^2]), [.. styles.Select(s => (s.shape[^1], s.shape[^2]))], progress);
        var weights = await StyleTransferPipeline.ResolveWeightsAsync(setup, cancellationToken).ConfigureAwait(false);
        return await DedicatedThread.Run(
            () =>
            {
                using var scope = NewDisposeScope();
                setup.Progress.Phase(StyleTransferPhase.PreparingInputs);
                using var run = StyleTransferPipeline.Execute(RunInputs.FromTensors(content, styles, setup.Options.ImageSize), setup, weights, cancellationToken);
                var rgb = Finisher.ToRgbTensor(run.Image, content).DetachFromDisposeScope();
                return new TensorStyleTransferResult(rgb, run.FinalLosses, run.Iterations, setup.Clock.Elapsed, run.Image.device.ToString());
            },
            setup,
            cancellationToken).ConfigureAwait(false);
    }
}
