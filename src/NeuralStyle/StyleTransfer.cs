using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Weights;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle;

/// <summary>
/// The entry point: paints a content image in the style of a style image (Gatys et al.) with SqueezeNet 1.1 features.
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
    /// <param name="progress">Receives progress every <see cref="StyleTransferOptions.ProgressInterval"/> iterations, from the worker thread.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised bitmap and the final losses; dispose the result.</returns>
    /// <remarks>The work runs on a dedicated thread (TorchSharp's dispose scopes and grad mode are per thread); the caller is not blocked.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="style"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or an image is empty or smaller than the network's minimum input.</exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StyleTransferResult> RunAsync(
        SKBitmap content,
        SKBitmap style,
        StyleTransferOptions? options = null,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        Guard.NotNull(style);
        CheckBitmap(content, nameof(content));
        CheckBitmap(style, nameof(style));
        options ??= new StyleTransferOptions();
        options.Validate();
        var weights = await ResolveWeightsAsync(options, cancellationToken).ConfigureAwait(false);
        return await OnDedicatedThread(
            () =>
            {
                var stopwatch = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var contentImage = ImageTensor.FromBitmap(content, options.ImageSize);
                var styleImage = ImageTensor.FromBitmap(style, options.StyleSize ?? options.ImageSize);
                using var run = Execute(contentImage, styleImage, options, weights, progress, cancellationToken);
                var bitmap = ImageTensor.ToBitmap(run.Image);
                return new StyleTransferResult(bitmap, run.FinalLosses, run.Iterations, stopwatch.Elapsed, run.Image.device.ToString());
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stylises an image tensor.</summary>
    /// <param name="content">The content image: <c>[1,3,H,W]</c> (or <c>[3,H,W]</c>) float, RGB in [0, 1], on any device. Not disposed.</param>
    /// <param name="style">The style image, in the same layout. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults. Sizes resize the tensors as they resize bitmaps.</param>
    /// <param name="progress">Receives progress every <see cref="StyleTransferOptions.ProgressInterval"/> iterations, from the worker thread.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised image, <c>[1,3,H,W]</c> RGB in [0, 1] on the content tensor's device, and the final losses; dispose the result.</returns>
    /// <remarks>The work runs on a dedicated thread; do not dispose the input tensors before the task completes.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="style"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or a tensor has the wrong shape or is too small.</exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TensorStyleTransferResult> RunAsync(
        Tensor content,
        Tensor style,
        StyleTransferOptions? options = null,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        Guard.NotNull(style);
        CheckRgbTensor(content, nameof(content));
        CheckRgbTensor(style, nameof(style));
        options ??= new StyleTransferOptions();
        options.Validate();
        var weights = await ResolveWeightsAsync(options, cancellationToken).ConfigureAwait(false);
        return await OnDedicatedThread(
            () =>
            {
                var stopwatch = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var contentImage = PrepareTensor(content, options.ImageSize);
                var styleImage = PrepareTensor(style, options.StyleSize ?? options.ImageSize);
                using var run = Execute(contentImage, styleImage, options, weights, progress, cancellationToken);
                var rgb = ImageTensor.ToRgb01(run.Image).clamp(0, 1).to(content.device).DetachFromDisposeScope();
                return new TensorStyleTransferResult(rgb, run.FinalLosses, run.Iterations, stopwatch.Elapsed, run.Image.device.ToString());
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The shared core: normalised CPU inputs in, optimised normalised image out (on the compute device).</summary>
    private static OptimizationResult Execute(
        Tensor contentImage,
        Tensor styleImage,
        StyleTransferOptions options,
        string weightsPath,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Threads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        var device = DeviceSelector.Resolve(options.Device);
        using var extractor = SqueezeNetFeatureExtractor.FromWeights(WeightCache.Get(weightsPath), device);
        var lastLayer = options.AdditionalLosses.SelectMany(l => l.Layers).Append(options.ContentLayer).Concat(options.StyleLayers).Max();
        CheckSize(contentImage, "content", lastLayer);
        CheckSize(styleImage, "style", lastLayer);

        var content = contentImage.to(device);
        var styleTensor = styleImage.to(device);
        using var losses = BuildLosses(extractor, content, styleTensor, options);
        var initial = InitialImage(content, options);
        var optimizer = new StyleTransferOptimizer(extractor, options.ToOptimizerSettings(), options.Logger);
        return optimizer.Optimize(initial, [.. losses.Items, .. options.AdditionalLosses], progress, cancellationToken);
    }

    private static LossSet BuildLosses(SqueezeNetFeatureExtractor extractor, Tensor content, Tensor style, StyleTransferOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var contentFeatures = extractor.Extract(content, options.ContentLayer);
        using var styleFeatures = extractor.Extract(style, options.StyleLayers.Max());
        var grams = options.StyleLayers.Select(l => GramMatrix.Compute(styleFeatures[l])).ToArray();
        return new LossSet(
            new ContentLoss(options.ContentLayer, contentFeatures[options.ContentLayer], options.ContentWeight),
            new StyleLoss(options.StyleLayers, grams, options.StyleWeights),
            new TotalVariationLoss(options.TotalVariationWeight));
    }

    private static Tensor InitialImage(Tensor content, StyleTransferOptions options)
    {
        switch (options.Initialization)
        {
            case Initialization.Noise:
                // Drawn on the CPU from a seeded generator, so the noise is the same on every device.
                using (var generator = new Generator((ulong)(uint)options.Seed, CPU))
                {
                    return rand(content.shape, generator: generator).to(content.device);
                }

            case Initialization.Image:
                var image = ImageTensor.FromBitmap(options.InitialImage!);
                return ImageTensor.Resize(image, (int)content.shape[2], (int)content.shape[3]).to(content.device);
            default:
                return content;
        }
    }

    private static Tensor PrepareTensor(Tensor rgb01, int? shorterSide)
    {
        var batched = rgb01.dim() == 3 ? rgb01.unsqueeze(0) : rgb01;
        var cpu = batched.detach().to(float32).cpu();
        if (shorterSide is { } side)
        {
            var size = ImageTensor.ResizedSize((int)cpu.shape[3], (int)cpu.shape[2], side);
            if (size.Height != cpu.shape[2] || size.Width != cpu.shape[3])
            {
                cpu = ImageTensor.Resize(cpu, size.Height, size.Width);
            }
        }

        return ImageTensor.FromRgb01(cpu);
    }

    private static void CheckBitmap(SKBitmap bitmap, string name)
    {
        if (bitmap.Width <= 0 || bitmap.Height <= 0 || bitmap.IsNull)
        {
            throw new ArgumentException("The bitmap is empty.", name);
        }
    }

    private static void CheckRgbTensor(Tensor tensor, string name)
    {
        var ok = (tensor.dim() == 4 && tensor.shape[0] == 1 && tensor.shape[1] == 3) || (tensor.dim() == 3 && tensor.shape[0] == 3);
        if (!ok || !tensor.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected a float RGB tensor of shape [1,3,H,W] or [3,H,W] with values in [0, 1]; got {tensor.dtype} [{string.Join(",", tensor.shape)}].",
                name);
        }
    }

    private static void CheckSize(Tensor image, string which, int lastLayer)
    {
        var minimum = SqueezeNetFeatureExtractor.MinimumInputSizeFor(lastLayer);
        if (image.shape[2] < minimum || image.shape[3] < minimum)
        {
            throw new ArgumentException(
                $"The {which} image is {image.shape[3]}×{image.shape[2]} pixels after resizing; the network needs at least {minimum}×{minimum} for the layers used.",
                which);
        }
    }

    private static Task<string> ResolveWeightsAsync(StyleTransferOptions options, CancellationToken cancellationToken)
        => WeightsLocator.ResolveAsync(
            new WeightsOptions { Path = options.WeightsPath, AllowDownload = options.AllowWeightsDownload, Logger = options.Logger },
            progress: null,
            cancellationToken);

    private static Task<T> OnDedicatedThread<T>(Func<T> work, CancellationToken cancellationToken)
        => Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    /// <summary>The three losses of a run, disposed together.</summary>
    private sealed class LossSet(params LossBase[] losses) : IDisposable
    {
        public ILoss[] Items { get; } = losses;

        public void Dispose()
        {
            foreach (var loss in losses)
            {
                loss.Dispose();
            }
        }
    }
}
