using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
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
    /// <remarks>
    /// The work runs on a dedicated thread (TorchSharp's dispose scopes and grad mode are per thread); the caller is not blocked.
    /// Any number of runs may go on at once from different threads; on the CPU each gives the bytes it gives alone.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="style"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or an image is empty, smaller than the network's minimum input after resizing, or larger than
    /// <see cref="StyleTransferOptions.MaxImagePixels"/> after resizing. Checked before the weights are loaded.
    /// </exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss or the image became NaN or infinite.</exception>
    /// <exception cref="StyleTransferOutOfMemoryException">libtorch could not allocate the memory the run needs; the process can go on.</exception>
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
        return await RunBitmapsAsync(content, [style], options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stylises a bitmap with several style images, blended by <see cref="StyleTransferOptions.StyleBlendWeights"/> or placed by <see cref="StyleTransferOptions.StyleMasks"/>.</summary>
    /// <param name="content">The content image (any colour type; alpha is composited on white). Not disposed.</param>
    /// <param name="styles">One or more style images. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults (equal blend weights).</param>
    /// <param name="progress">Receives progress every <see cref="StyleTransferOptions.ProgressInterval"/> iterations, from the worker thread.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised bitmap and the final losses; dispose the result.</returns>
    /// <remarks>
    /// The style targets are mixed by the normalised blend weights: <c>A_l = Σ_k w_k · Gram_k,l</c>; with one style image this is
    /// the single-style overload. The work runs on a dedicated thread.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="styles"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="styles"/> is empty or holds an empty bitmap, an option is out of range, the blend weights or style masks do not
    /// have one entry per style, or an image is smaller than the network's minimum input.
    /// </exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StyleTransferResult> RunAsync(
        SKBitmap content,
        IReadOnlyList<SKBitmap> styles,
        StyleTransferOptions? options = null,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        Guard.NotEmpty(styles);
        CheckBitmap(content, nameof(content));
        for (var i = 0; i < styles.Count; i++)
        {
            CheckBitmap(styles[i] ?? throw new ArgumentException($"Style image {i} is null.", nameof(styles)), nameof(styles));
        }

        return await RunBitmapsAsync(content, styles, options, progress, cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="ArgumentException">
    /// An option is out of range, or a tensor has the wrong shape, has been disposed, is empty, holds NaN or infinite values,
    /// or is too small or too large (<see cref="StyleTransferOptions.MaxImagePixels"/>) after resizing. Checked before the weights are loaded.
    /// </exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss or the image became NaN or infinite.</exception>
    /// <exception cref="StyleTransferOutOfMemoryException">libtorch could not allocate the memory the run needs; the process can go on.</exception>
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
        return await RunTensorsAsync(content, [style], options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stylises an image tensor with several style images, blended by <see cref="StyleTransferOptions.StyleBlendWeights"/> or placed by <see cref="StyleTransferOptions.StyleMasks"/>.</summary>
    /// <param name="content">The content image: <c>[1,3,H,W]</c> (or <c>[3,H,W]</c>) float, RGB in [0, 1], on any device. Not disposed.</param>
    /// <param name="styles">One or more style images, in the same layout. Not disposed.</param>
    /// <param name="options">The options; <see langword="null"/> means the defaults (equal blend weights).</param>
    /// <param name="progress">Receives progress every <see cref="StyleTransferOptions.ProgressInterval"/> iterations, from the worker thread.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The stylised image, <c>[1,3,H,W]</c> RGB in [0, 1] on the content tensor's device, and the final losses; dispose the result.</returns>
    /// <remarks>The work runs on a dedicated thread; do not dispose the input tensors before the task completes.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> or <paramref name="styles"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="styles"/> is empty, a tensor has the wrong shape or is too small, an option is out of range, or the blend
    /// weights or style masks do not have one entry per style.
    /// </exception>
    /// <exception cref="WeightFormatException">The weight file is malformed.</exception>
    /// <exception cref="WeightsDownloadException">No weight file was found and downloading failed or was not allowed.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested but is not available.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TensorStyleTransferResult> RunAsync(
        Tensor content,
        IReadOnlyList<Tensor> styles,
        StyleTransferOptions? options = null,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(content);
        Guard.NotEmpty(styles);
        CheckRgbTensor(content, nameof(content));
        for (var i = 0; i < styles.Count; i++)
        {
            CheckRgbTensor(styles[i] ?? throw new ArgumentException($"Style image {i} is null.", nameof(styles)), nameof(styles));
        }

        return await RunTensorsAsync(content, styles, options, progress, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<StyleTransferResult> RunBitmapsAsync(
        SKBitmap content,
        IReadOnlyList<SKBitmap> styles,
        StyleTransferOptions? options,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        options = Validated(options, styles.Count);
        var plan = Plan(content.Width, content.Height, [.. styles.Select(s => ((long)s.Width, (long)s.Height))], options);
        var weights = await ResolveWeightsAsync(options, cancellationToken).ConfigureAwait(false);
        return await OnDedicatedThread(
            () =>
            {
                var stopwatch = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var contentImage = ImageTensor.FromBitmap(content, options.ImageSize);
                var loaders = styles.Select(s => (Func<int?, Tensor>)(side => ImageTensor.FromBitmap(s, side))).ToArray();
                using var run = Execute(contentImage, loaders, options, weights, progress, cancellationToken);
                var bitmap = ImageTensor.ToBitmap(run.Image);
                return new StyleTransferResult(bitmap, run.FinalLosses, run.Iterations, stopwatch.Elapsed, run.Image.device.ToString());
            },
            cancellationToken,
            plan.Describe(),
            options.Device).ConfigureAwait(false);
    }

    private static async Task<TensorStyleTransferResult> RunTensorsAsync(
        Tensor content,
        IReadOnlyList<Tensor> styles,
        StyleTransferOptions? options,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        options = Validated(options, styles.Count);
        var plan = Plan(content.shape[^1], content.shape[^2], [.. styles.Select(s => (s.shape[^1], s.shape[^2]))], options);
        var weights = await ResolveWeightsAsync(options, cancellationToken).ConfigureAwait(false);
        return await OnDedicatedThread(
            () =>
            {
                var stopwatch = Stopwatch.StartNew();
                using var scope = NewDisposeScope();
                var contentImage = PrepareTensor(content, options.ImageSize);
                var loaders = styles.Select(s => (Func<int?, Tensor>)(side => PrepareTensor(s, side))).ToArray();
                using var run = Execute(contentImage, loaders, options, weights, progress, cancellationToken);
                var rgb = ImageTensor.ToRgb01(run.Image).clamp(0, 1).to(content.device).DetachFromDisposeScope();
                return new TensorStyleTransferResult(rgb, run.FinalLosses, run.Iterations, stopwatch.Elapsed, run.Image.device.ToString());
            },
            cancellationToken,
            plan.Describe(),
            options.Device).ConfigureAwait(false);
    }

    private static StyleTransferOptions Validated(StyleTransferOptions? options, int styleCount)
    {
        options ??= new StyleTransferOptions();
        options.ValidateForStyles(styleCount);
        if (options.InitialImage is { } initial && options.Initialization == Initialization.Image)
        {
            CheckBitmap(initial, nameof(StyleTransferOptions.InitialImage));
        }

        if (options.Mask is { } mask)
        {
            CheckBitmap(mask, nameof(StyleTransferOptions.Mask));
        }

        foreach (var styleMask in options.StyleMasks ?? [])
        {
            CheckBitmap(styleMask, nameof(StyleTransferOptions.StyleMasks));
        }

        return options;
    }

    /// <summary>
    /// The shared core: normalised CPU content and style loaders (shorter side → normalised CPU tensor) in, the optimised and
    /// finished (mask composite, colour preservation) normalised image out, on the compute device.
    /// </summary>
    internal static OptimizationResult Execute(
        Tensor contentImage,
        IReadOnlyList<Func<int?, Tensor>> styleLoaders,
        StyleTransferOptions options,
        string weightsPath,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThreadSettings.Apply(options.Threads);

        var device = DeviceSelector.Resolve(options.Device);
        var extractor = ExtractorCache.Get(WeightCache.Get(weightsPath, cancellationToken), device, cancellationToken);
        var lastLayer = LastLayer(options);
        CheckSize(contentImage, "content", lastLayer);
        var plan = HighResolution.HighResolutionPlan.Create((int)contentImage.shape[2], (int)contentImage.shape[3], options, lastLayer, device.type == DeviceType.CUDA);
        if (plan.Count > 1 || plan[0].TileSize is not null)
        {
            return ExecuteStaged(extractor, contentImage, styleLoaders, options, plan, lastLayer, progress, cancellationToken);
        }

        var styleSide = options.ResolveStyleSize((int)Math.Min(contentImage.shape[2], contentImage.shape[3]));
        return ExecuteStage(extractor, contentImage, styleLoaders, options, styleSide, StageScaling.None, null, lastLayer, progress, cancellationToken);
    }

    /// <summary>
    /// One optimisation of the whole image at one size: normalised CPU content and style loaders (shorter side → normalised
    /// CPU tensor) in, the optimised and finished (mask composite, colour preservation) normalised image out, on the device.
    /// <paramref name="stageLoss"/> is an extra term of this stage only (the coarse-to-fine anchor); the caller owns it.
    /// </summary>
    private static OptimizationResult ExecuteStage(
        SqueezeNetFeatureExtractor extractor,
        Tensor contentImage,
        IReadOnlyList<Func<int?, Tensor>> styleLoaders,
        StyleTransferOptions options,
        int? styleSide,
        StageScaling scaling,
        Tensor? initialImage,
        int lastLayer,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken,
        ILoss? stageLoss = null)
    {
        var device = extractor.Device;
        var contentLayers = Scale(options.ResolveContentLayers(), scaling.Content);
        var styleLayers = Scale(options.ResolveStyleLayers(), scaling.Style);
        var (content, styles) = PrepareInputs(contentImage, styleLoaders, options, styleSide, lastLayer, device);

        var masks = RegionMasks.Create(options, content, styles.Length);
        using var losses = BuildLosses(extractor, content, styles, masks, options, contentLayers, styleLayers, scaling.TotalVariation);
        var initial = initialImage?.to(device) ?? InitialImage(content, styles[0], options);
        Func<Tensor, Tensor>? finish = masks.Region is null && options.PreserveColors != ColorPreservation.Luminance
            ? null
            : image => Finish(image, content, masks.Region, options.PreserveColors);
        using var optimizationExtractor = masks.Region is { } region ? new MaskedCompositeExtractor(extractor, region, content) : null;
        var optimizer = new StyleTransferOptimizer(optimizationExtractor ?? (IFeatureExtractor)extractor, options.ToOptimizerSettings(), options.Logger)
        {
            PreviewTransform = finish,
        };
        ILoss[] all = stageLoss is null ? [.. losses.Items, .. options.AdditionalLosses] : [.. losses.Items, stageLoss, .. options.AdditionalLosses];
        var result = optimizer.Optimize(initial, all, progress, cancellationToken);
        if (finish is null)
        {
            return result;
        }

        using (result)
        using (no_grad())
        {
            var finished = finish(result.Image).DetachFromDisposeScope();
            return new OptimizationResult(finished, result.FinalLosses, result.Iterations, result.Elapsed);
        }
    }

    /// <summary>Loads the styles at their side, checks sizes, moves everything to the device and applies histogram matching.</summary>
    private static (Tensor Content, Tensor[] Styles) PrepareInputs(
        Tensor contentImage, IReadOnlyList<Func<int?, Tensor>> styleLoaders, StyleTransferOptions options, int? styleSide, int lastLayer, Device device)
    {
        var styleImages = styleLoaders.Select(load => load(styleSide)).ToArray();
        foreach (var styleImage in styleImages)
        {
            CheckSize(styleImage, "style", lastLayer);
        }

        var content = contentImage.to(device);
        var styles = styleImages.Select(s => s.to(device)).ToArray();
        if (options.PreserveColors == ColorPreservation.HistogramMatch)
        {
            using var noGrad = no_grad();
            var contentRgb = ImageTensor.ToRgb01(content);
            styles = styles.Select(s => ImageTensor.FromRgb01(ColorTransfer.MatchColorStatistics(ImageTensor.ToRgb01(s), contentRgb))).ToArray();
        }

        return (content, styles);
    }

    private static IReadOnlyList<LayerWeight> Scale(IReadOnlyList<LayerWeight> layers, double factor)
        => factor == 1 ? layers : layers.Select(l => l with { Weight = l.Weight * factor }).ToArray();

    /// <summary>Applies the mask composite and luminance-only colour preservation to a normalised image.</summary>
    private static Tensor Finish(Tensor image, Tensor content, Tensor? region, ColorPreservation preserveColors)
    {
        var x = region is null ? image : MaskedCompositeExtractor.Composite(image, region, content);
        if (preserveColors == ColorPreservation.Luminance)
        {
            var rgb = ImageTensor.ToRgb01(x).clamp(0, 1);
            x = ImageTensor.FromRgb01(ColorTransfer.PreserveLuminance(rgb, ImageTensor.ToRgb01(content).clamp(0, 1)));
        }

        return x;
    }

    private static LossSet BuildLosses(
        SqueezeNetFeatureExtractor extractor,
        Tensor content,
        Tensor[] styles,
        RegionMasks masks,
        StyleTransferOptions options,
        IReadOnlyList<LayerWeight> contentLayers,
        IReadOnlyList<LayerWeight> styleLayers,
        double totalVariationFactor = 1)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var losses = new List<LossBase>();
        try
        {
            using (var contentFeatures = extractor.Extract(content, contentLayers.Max(l => l.Layer)))
            {
                losses.AddRange(contentLayers.Select(l => new ContentLoss(l.Layer, contentFeatures[l.Layer], l.Weight)));
            }

            int[] layers = [.. styleLayers.Select(l => l.Layer)];
            double[] weights = [.. styleLayers.Select(l => l.Weight)];
            var grams = new Tensor[styles.Length][];
            for (var k = 0; k < styles.Length; k++)
            {
                using var styleFeatures = extractor.Extract(styles[k], layers.Max());
                grams[k] = layers.Select(l => GramMatrix.Compute(styleFeatures[l])).ToArray();
            }

            var blend = options.ResolveStyleBlendWeights(styles.Length);
            if (masks.PerStyle is { } perStyle)
            {
                // Each style's targets apply in its own region, scaled by its weight relative to the largest.
                var largest = blend.Max();
                for (var k = 0; k < styles.Length; k++)
                {
                    var factor = blend[k] / largest;
                    losses.Add(new StyleLoss(layers, grams[k], [.. weights.Select(w => w * factor)], perStyle[k]));
                }
            }
            else
            {
                // A_l = Σ_k w_k · Gram_k,l; with one style the targets are its Gram matrices as they are.
                var targets = styles.Length == 1
                    ? grams[0]
                    : layers.Select((_, i) => Enumerable.Range(0, styles.Length).Select(k => grams[k][i].mul(blend[k])).Aggregate((a, b) => a.add(b))).ToArray();
                losses.Add(masks.Region is { } region ? new StyleLoss(layers, targets, weights, region) : new StyleLoss(layers, targets, weights));
            }

            losses.Add(new TotalVariationLoss(options.TotalVariationWeight * totalVariationFactor));
            return new LossSet([.. losses]);
        }
        catch
        {
            // Targets already copied belong to the losses made so far.
            foreach (var loss in losses)
            {
                loss.Dispose();
            }

            throw;
        }
    }

    private static Tensor InitialImage(Tensor content, Tensor style, StyleTransferOptions options)
    {
        switch (options.Initialization)
        {
            case Initialization.Noise:
                return Noise(content, options.Seed);
            case Initialization.Blend:
                var ratio = options.InitNoiseRatio;
                return content.mul(1 - ratio).add(Noise(content, options.Seed).mul(ratio));
            case Initialization.Image:
                var image = ImageTensor.FromBitmap(options.InitialImage!);
                return ImageTensor.Resize(image, (int)content.shape[2], (int)content.shape[3]).to(content.device);
            case Initialization.Style:
                return ImageTensor.Resize(style, (int)content.shape[2], (int)content.shape[3]);
            default:
                return content;
        }
    }

    // Uniform noise in [0, 1), drawn on the CPU from a seeded generator so that it is the same on every device.
    private static Tensor Noise(Tensor like, int seed)
    {
        using var generator = new Generator((ulong)(uint)seed, CPU);
        return rand(like.shape, generator: generator).to(like.device);
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
        if (bitmap.Width <= 0 || bitmap.Height <= 0 || bitmap.GetPixels() == IntPtr.Zero)
        {
            throw new ArgumentException($"The {name} bitmap is empty ({bitmap.Width}×{bitmap.Height} pixels, {(bitmap.GetPixels() == IntPtr.Zero ? "no" : "with")} pixel memory).", name);
        }
    }

    private static void CheckRgbTensor(Tensor tensor, string name)
    {
        if (tensor.IsInvalid)
        {
            throw new ArgumentException($"The {name} tensor has been disposed.", name);
        }

        var ok = (tensor.dim() == 4 && tensor.shape[0] == 1 && tensor.shape[1] == 3) || (tensor.dim() == 3 && tensor.shape[0] == 3);
        if (!ok || !tensor.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected a float RGB tensor of shape [1,3,H,W] or [3,H,W] with values in [0, 1]; got {tensor.dtype} [{string.Join(",", tensor.shape)}].",
                name);
        }

        if (tensor.shape[^1] <= 0 || tensor.shape[^2] <= 0)
        {
            throw new ArgumentException($"The {name} tensor is empty: [{string.Join(",", tensor.shape)}] has no pixels.", name);
        }

        // One reduction and one read; NaN or ∞ would otherwise surface as a NaN loss after the weights were loaded.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var bad = tensor.detach().isfinite().logical_not().sum().item<long>();
        if (bad > 0)
        {
            throw new ArgumentException(
                $"The {name} tensor holds {bad} NaN or infinite value{(bad == 1 ? string.Empty : "s")}; expected RGB values in [0, 1].",
                name);
        }
    }

    // Defensive: RunAsync checks the sizes before any work (Plan); other callers of Execute rely on this.
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

    /// <summary>Checks the sizes the images will have after resizing, before any weights are loaded or memory is allocated.</summary>
    /// <exception cref="ArgumentException">An image would be too small for the layers used or larger than <see cref="StyleTransferOptions.MaxImagePixels"/>.</exception>
    private static RunPlan Plan(long contentWidth, long contentHeight, IReadOnlyList<(long Width, long Height)> styles, StyleTransferOptions options)
    {
        var minimum = SqueezeNetFeatureExtractor.MinimumInputSizeFor(LastLayer(options));
        var content = CheckTargetSize("content", contentWidth, contentHeight, options.ImageSize, nameof(StyleTransferOptions.ImageSize), minimum, options.MaxImagePixels);
        var styleSide = options.ResolveStyleSize((int)Math.Min(content.Width, content.Height));
        (long Width, long Height) style = default;
        foreach (var (width, height) in styles)
        {
            style = CheckTargetSize("style", width, height, styleSide, nameof(StyleTransferOptions.StyleSize), minimum, options.MaxImagePixels);
        }

        return new RunPlan(content.Width, content.Height, style.Width, style.Height);
    }

    /// <summary>The deepest layer any loss of the run reads.</summary>
    private static int LastLayer(StyleTransferOptions options)
        => options.AdditionalLosses.SelectMany(l => l.Layers)
            .Concat(options.ResolveContentLayers().Select(l => l.Layer))
            .Concat(options.ResolveStyleLayers().Select(l => l.Layer))
            .Max();

    private static (long Width, long Height) CheckTargetSize(string which, long width, long height, int? shorterSide, string sizeOption, int minimum, long maxPixels)
    {
        var (w, h) = shorterSide is { } side ? ResizedSize(width, height, side) : (width, height);
        if (w < minimum || h < minimum)
        {
            throw new ArgumentException(
                $"The {which} image is {w}×{h} pixels after resizing; the network needs at least {minimum}×{minimum} for the layers used.",
                which);
        }

        // In doubles: the product of two absurd sides may not fit in a long.
        var pixels = (double)w * h;
        if (pixels > maxPixels)
        {
            var resized = shorterSide is null ? string.Empty : $" when its shorter side is resized to {shorterSide} (StyleTransferOptions.{sizeOption})";
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {which} image ({width}×{height}) would be {w}×{h} pixels{resized}, more than StyleTransferOptions.MaxImagePixels ({maxPixels:N0}; --max-image-pixels). Use a smaller size or an image with a less extreme aspect ratio, or raise the limit if the machine has the memory."),
                which);
        }

        return (w, h);
    }

    // ImageTensor.ResizedSize in 64 bits, so that absurd aspect ratios can be reported instead of overflowing.
    private static (long Width, long Height) ResizedSize(long width, long height, int shorterSide)
    {
        long shorter = Math.Min(width, height), longer = Math.Max(width, height);
        var scaled = (long)Math.Min((double)shorterSide * longer / shorter, long.MaxValue / 2);
        return width <= height ? (shorterSide, scaled) : (scaled, shorterSide);
    }

    private static Task<string> ResolveWeightsAsync(StyleTransferOptions options, CancellationToken cancellationToken)
        => WeightsLocator.ResolveAsync(
            SqueezeNetWeights.Descriptor,
            new WeightsOptions { Path = options.WeightsPath, AllowDownload = options.AllowWeightsDownload, Logger = options.Logger },
            progress: null,
            cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a thread of its own, translating allocation failures into <see cref="StyleTransferOutOfMemoryException"/>.</summary>
    /// <param name="work">The run.</param>
    /// <param name="cancellationToken">Cancels the run before it starts (the run checks it itself afterwards).</param>
    /// <param name="what">What the run does, for an out-of-memory message.</param>
    /// <param name="device">The run's device, for an out-of-memory message.</param>
    private static Task<T> OnDedicatedThread<T>(Func<T> work, CancellationToken cancellationToken, string what = "a style transfer", string? device = null)
        => Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return work();
                }
                catch (Exception ex) when (OutOfMemory.Is(ex))
                {
                    throw OutOfMemory.Wrap(ex, what, device);
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);

    /// <summary>The sizes a run will work at, known before it starts.</summary>
    private readonly record struct RunPlan(long ContentWidth, long ContentHeight, long StyleWidth, long StyleHeight)
    {
        public string Describe()
            => $"a style transfer of a {ContentWidth}×{ContentHeight} content image with a {StyleWidth}×{StyleHeight} style image";
    }

    /// <summary>The losses of a run, disposed together.</summary>
    private sealed class LossSet(params LossBase[] losses) : IDisposable
    {
        public ILoss[] Items { get; } = losses;

        /// <summary>Gets the losses themselves, for a caller that takes over disposing them.</summary>
        public LossBase[] Owned => losses;

        public void Dispose()
        {
            foreach (var loss in losses)
            {
                loss.Dispose();
            }
        }
    }
}
