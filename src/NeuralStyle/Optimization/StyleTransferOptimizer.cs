using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using NeuralStyle.Pipeline.Progress;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// Gradient descent on the pixels of an image against a list of <see cref="ILoss"/> terms, with a frozen
/// <see cref="IFeatureExtractor"/>. One instance may run many optimisations, one at a time per thread.
/// </summary>
/// <remarks>
/// TorchSharp's dispose scopes and grad mode are per thread: <see cref="Optimize"/> runs entirely on the calling thread.
/// The host is synchronised with the device only at progress reports (see <see cref="OptimizerSettings.ProgressInterval"/>),
/// at numerical checks and at the end.
/// </remarks>
public sealed partial class StyleTransferOptimizer
{
    private readonly IFeatureExtractor _extractor;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="StyleTransferOptimizer"/> class.</summary>
    /// <param name="extractor">The feature extractor; not disposed by the optimiser.</param>
    /// <param name="settings">The settings; <see langword="null"/> means the seed's defaults.</param>
    /// <param name="logger">A logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="extractor"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public StyleTransferOptimizer(IFeatureExtractor extractor, OptimizerSettings? settings = null, ILogger? logger = null)
    {
        _extractor = Guard.NotNull(extractor);
        Settings = settings ?? new OptimizerSettings();
        Settings.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the settings.</summary>
    /// <value>Validated settings.</value>
    public OptimizerSettings Settings { get; }

    /// <summary>Gets what previews show: a function of the detached, normalised pixels (run in a dispose scope), or null for the pixels.</summary>
    internal Func<Tensor, Tensor>? PreviewTransform { get; init; }

    /// <summary>Gets the checkpoint the optimisations go on from: its pixels replace the initial image's, and Adam's state and the iteration are restored.</summary>
    /// <value>Default <see langword="null"/> (start at iteration 0); checked against the settings and the image before any work.</value>
    public OptimizerCheckpoint? ResumeFrom { get; init; }

    /// <summary>Optimises a copy of <paramref name="initialImage"/> to minimise the sum of <paramref name="losses"/>.</summary>
    /// <param name="initialImage">The starting image, normalised, <c>[N,3,H,W]</c>; copied, not changed or disposed.</param>
    /// <param name="losses">The terms to minimise; not disposed.</param>
    /// <param name="progress">Receives reports every <see cref="OptimizerSettings.ProgressInterval"/> iterations and at the end.</param>
    /// <param name="cancellationToken">Checked between iterations.</param>
    /// <returns>The optimised image and the final losses; the caller disposes the result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No losses were given, the image has the wrong shape, or <see cref="ResumeFrom"/> does not fit the settings or the image.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite (checked every iteration on the CPU, at progress reports on a GPU), or the last step made the image NaN or infinite.</exception>
    /// <exception cref="StyleTransferOutOfMemoryException">libtorch could not allocate the memory the optimisation needs.</exception>
    public OptimizationResult Optimize(
        Tensor initialImage,
        IReadOnlyList<ILoss> losses,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(initialImage);
        Guard.NotEmpty(losses);
        if (initialImage.dim() != 4 || initialImage.shape[1] != 3)
        {
            throw new ArgumentException($"Expected a normalised image of shape [N,3,H,W]; got [{string.Join(",", initialImage.shape)}].", nameof(initialImage));
        }

        ResumeFrom?.CheckFits(Settings, initialImage.shape, nameof(ResumeFrom));
        cancellationToken.ThrowIfCancellationRequested();
        using var allocation = NativeAllocator.EnterRun(initialImage.shape);
        using var layout = Settings.Optimizer == OptimizerKind.Lbfgs ? MemoryLayout.PreferContiguous() : default;
        try
        {
            return OptimizeCore(initialImage, losses, progress, cancellationToken);
        }
        catch (Exception ex) when (OutOfMemory.Is(ex))
        {
            throw OutOfMemory.Wrap(ex, $"optimising a {initialImage.shape[3]}×{initialImage.shape[2]} image", _extractor.Device.ToString());
        }
    }

    private OptimizationResult OptimizeCore(
        Tensor initialImage,
        IReadOnlyList<ILoss> losses,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        var lastLayer = losses.SelectMany(l => l.Layers).DefaultIfEmpty(0).Max();
        var names = losses.Select(l => l.Name).ToArray();
        var run = new Run(this, losses, lastLayer, names);

        using var pixels = CreatePixels(initialImage);
        torch.optim.Optimizer? optimizer = null;
        try
        {
            LogStarted(_logger, Settings.Optimizer, Settings.Iterations, initialImage.shape[3], initialImage.shape[2], _extractor.Device);
            var stopwatch = Stopwatch.StartNew();
            var rate = ResumeFrom?.LearningRate ?? Settings.LearningRateAt(0);
            optimizer = CreateOptimizer(pixels, rate);
            ResumeFrom?.Restore(pixels, optimizer);
            LossValues? final = null;
            for (var t = ResumeFrom?.Iteration ?? 0; t < Settings.Iterations; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var newRate = Settings.LearningRateAt(t);
                if (newRate != rate)
                {
                    // The seed starts a fresh optimiser when the rate changes.
                    optimizer.Dispose();
                    optimizer = CreateOptimizer(pixels, newRate);
                    rate = newRate;
                }

                if (Settings.ClampBound is { } bound && t < Settings.Iterations - Settings.UnclampedFinalIterations)
                {
                    using var noGrad = no_grad();
                    pixels.clamp_(-bound, bound);
                }

                using var scope = NewDisposeScope();
                var terms = Settings.Optimizer == OptimizerKind.Lbfgs ? run.LbfgsStep((LBFGS)optimizer, pixels) : run.AdamStep(optimizer, pixels);

                var last = t == Settings.Iterations - 1;
                var previewDue = Settings.PreviewInterval > 0 && ((t + 1) % Settings.PreviewInterval == 0 || last);
                var checkpointDue = Settings.CheckpointInterval > 0 && (t + 1) % Settings.CheckpointInterval == 0 && !last;
                var report = progress is not null && ((t + 1) % Settings.ProgressInterval == 0 || last || previewDue || checkpointDue);
                var check = report || last || (t + 1) % run.CheckInterval == 0;
                if (check)
                {
                    var values = run.Read(terms);
                    if (!double.IsFinite(values.Total))
                    {
                        throw new NumericalInstabilityException(
                            $"The loss became {values.Total} at iteration {t} ({values}). Lower the learning rate or the loss weights.")
                        { Iteration = t, Losses = values };
                    }

                    if (t == 0 && progress is IFirstIterationTiming timing)
                    {
                        timing.FirstIterationDone(stopwatch.Elapsed);
                    }

                    if (last)
                    {
                        final = values;
                    }

                    if (report)
                    {
                        var preview = previewDue ? Previews.Create(pixels, PreviewTransform) : null;
                        progress!.Report(new StyleTransferProgress(t + 1, Settings.Iterations, values, rate, stopwatch.Elapsed) { Preview = preview, Checkpoint = checkpointDue ? OptimizerCheckpoint.Capture(t + 1, rate, pixels, optimizer) : null });
                    }
                }
            }

            final ??= run.Evaluate(pixels);
            if (!double.IsFinite(final.Total))
            {
                throw new NumericalInstabilityException(
                    $"The loss of the starting image is {final.Total} ({final}); the image or a loss weight holds NaN or infinite values.")
                { Iteration = 0, Losses = final };
            }

            Tensor image;
            using (var detached = pixels.detach())
            {
                image = detached.clone().DetachFromDisposeScope();
            }

            // The last step's update is not seen by any loss; one reduction catches a NaN/∞ it wrote into the pixels.
            if (!AllFinite(image))
            {
                image.Dispose();
                throw new NumericalInstabilityException(
                    $"The image became NaN or infinite in the last step (iteration {Settings.Iterations - 1}) although the loss was finite ({final}). Lower the learning rate.")
                { Iteration = Math.Max(0, Settings.Iterations - 1), Losses = final };
            }

            if (image.device.type == DeviceType.CUDA)
            {
                torch.cuda.synchronize();
            }

            stopwatch.Stop();
            LogFinished(_logger, Settings.Iterations, stopwatch.Elapsed.TotalMilliseconds, final);
            return new OptimizationResult(image, final, Settings.Iterations, stopwatch.Elapsed);
        }
        finally
        {
            optimizer?.Dispose();
        }
    }

    private static bool AllFinite(Tensor image)
    {
        using var scope = NewDisposeScope();
        return image.isfinite().all().item<bool>();
    }

    private static Parameter CreatePixels(Tensor initialImage)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // The parameter takes over the copy's native handle.
        var pixels = new Parameter(initialImage.detach().to(float32).clone(), requires_grad: true);
        pixels.DetachFromDisposeScope();
        return pixels;
    }

    private torch.optim.Optimizer CreateOptimizer(Parameter pixels, double rate) => Settings.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam([pixels], lr: rate),
        OptimizerKind.Lbfgs => torch.optim.LBFGS(
            [pixels],
            lr: rate,
            max_iter: 1,
            max_eval: 2,
            tolerange_grad: 0,
            tolerance_change: Settings.LbfgsTolerance,
            history_size: Settings.LbfgsHistorySize),
        _ => throw new InvalidOperationException($"Unknown optimiser {Settings.Optimizer}."),
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Style transfer: {Optimizer}, {Iterations} iterations, {Width}x{Height} on {Device}")]
    private static partial void LogStarted(ILogger logger, OptimizerKind optimizer, int iterations, long width, long height, Device device);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Style transfer done: {Iterations} iterations in {Milliseconds:F0} ms; final losses {Losses}")]
    private static partial void LogFinished(ILogger logger, int iterations, double milliseconds, LossValues losses);

    /// <summary>The per-run state shared by the step functions.</summary>
    private sealed class Run(StyleTransferOptimizer owner, IReadOnlyList<ILoss> losses, int lastLayer, string[] names)
    {
        private Exception? _closureError;

        // On the CPU reading a value costs no pipeline stall, so the loss is checked every iteration; on a GPU at progress reports.
        public int CheckInterval { get; } = owner._extractor.Device.type == DeviceType.CPU ? 1 : owner.Settings.ProgressInterval;

        public Tensor[] AdamStep(torch.optim.Optimizer optimizer, Parameter pixels)
        {
            optimizer.zero_grad();
            var terms = Forward(pixels);
            Sum(terms).backward();
            optimizer.step();
            return terms;
        }

        public Tensor[] LbfgsStep(LBFGS optimizer, Parameter pixels)
        {
            Tensor[]? first = null;
            _closureError = null;

            // Called from native code: must return a live tensor and must not throw.
            Tensor Closure()
            {
                try
                {
                    optimizer.zero_grad();
                    var terms = Forward(pixels);
                    first ??= terms;
                    var total = Sum(terms);
                    total.backward();
                    return HandOver(total.detach());
                }
                catch (Exception ex)
                {
                    _closureError ??= ex;
                    return HandOver(torch.tensor(float.NaN, device: pixels.device));
                }
            }

            optimizer.step(Closure);
            if (_closureError is not null)
            {
                throw new InvalidOperationException("A loss failed during the L-BFGS step.", _closureError);
            }

            return first ?? throw new InvalidOperationException("L-BFGS did not evaluate the loss.");
        }

        // TorchSharp's native step takes over the returned handle (the managed object is emptied) and never frees it:
        // hand it a fresh scalar without autograd graph, outside the dispose scope, so that neither a term nor the
        // graph is taken and only a scalar's handle stays behind per evaluation.
        private static Tensor HandOver(Tensor scalar) => scalar.DetachFromDisposeScope();

        public LossValues Read(Tensor[] terms)
        {
            // One transfer for all terms.
            using var stacked = stack(terms.Select(t => t.detach().to(float64)).ToArray()).cpu();
            var values = stacked.data<double>().ToArray();
            var dict = new Dictionary<string, double>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                dict[names[i]] = dict.TryGetValue(names[i], out var existing) ? existing + values[i] : values[i];
            }

            return new LossValues(dict);
        }

        public LossValues Evaluate(Parameter pixels)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return Read(Forward(pixels));
        }

        private Tensor[] Forward(Tensor pixels)
        {
            using var features = owner._extractor.Extract(pixels, lastLayer);
            var terms = new Tensor[losses.Count];
            for (var i = 0; i < terms.Length; i++)
            {
                terms[i] = losses[i].Compute(features);
            }

            return terms;
        }

        private static Tensor Sum(Tensor[] terms)
        {
            var total = terms[0];
            for (var i = 1; i < terms.Length; i++)
            {
                total = total.add(terms[i]);
            }

            return total;
        }
    }
}
