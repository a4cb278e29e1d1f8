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
/// The host is synchronised with the device only at progress reports (see <see cref="OptimizerOptions.ProgressInterval"/>),
/// at numerical checks and at the end.
/// </remarks>
public sealed partial class StyleTransferOptimizer
{
    private readonly IFeatureExtractor _extractor;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="StyleTransferOptimizer"/> class.</summary>
    /// <param name="extractor">The feature extractor; not disposed by the optimiser.</param>
    /// <param name="options">The optimiser's options; <see langword="null"/> means the seed's defaults.</param>
    /// <param name="logger">A logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="extractor"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public StyleTransferOptimizer(IFeatureExtractor extractor, OptimizerOptions? options = null, ILogger? logger = null)
    {
        _extractor = Guard.NotNull(extractor);
        Settings = options ?? new OptimizerOptions();
        Settings.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the optimiser's options.</summary>
    /// <value>Validated options.</value>
    public OptimizerOptions Settings { get; }

    /// <summary>Gets what previews show: a function of the detached, normalised pixels (run in a dispose scope), or null for the pixels.</summary>
    internal Func<Tensor, Tensor>? PreviewTransform { get; init; }

    /// <summary>Gets the checkpoint the optimisations go on from: its pixels replace the initial image's, and Adam's state and the iteration are restored.</summary>
    /// <value>Default <see langword="null"/> (start at iteration 0); checked against the settings and the image before any work.</value>
    public OptimizerCheckpoint? ResumeFrom { get; init; }

    /// <summary>Gets how often a progress report carries an <see cref="OptimizerCheckpoint"/> (<see cref="StyleTransferProgress.Checkpoint"/>).</summary>
    /// <value>Default 0 (never); otherwise every N iterations before the last. Adam only.</value>
    public int CheckpointInterval { get; init; }

    /// <summary>Optimises a copy of <paramref name="initialImage"/> to minimise the sum of <paramref name="losses"/>.</summary>
    /// <param name="initialImage">The starting image, normalised, <c>[N,3,H,W]</c>; copied, not changed or disposed.</param>
    /// <param name="losses">The terms to minimise; not disposed.</param>
    /// <param name="iterations">The number of iterations (for L-BFGS, function evaluations); 0 evaluates the starting image.</param>
    /// <param name="progress">Receives reports every <see cref="OptimizerOptions.ProgressInterval"/> iterations and at the end.</param>
    /// <param name="cancellationToken">Checked between iterations.</param>
    /// <returns>The optimised image and the final losses; the caller disposes the result.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No losses were given, the image has the wrong shape, or <see cref="ResumeFrom"/> does not fit the options, the iterations or the image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NumericalInstabilityException">The loss became NaN or infinite (checked every iteration on the CPU, at progress reports on a GPU), or the last step made the image NaN or infinite.</exception>
    /// <exception cref="StyleTransferOutOfMemoryException">libtorch could not allocate the memory the optimisation needs.</exception>
    public OptimizationResult Optimize(
        Tensor initialImage,
        IReadOnlyList<ILoss> losses,
        int iterations,
        IProgress<StyleTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Guard.NotNull(initialImage);
        Guard.NotEmpty(losses);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (initialImage.dim() != 4 || initialImage.shape[1] != 3)
        {
            throw new ArgumentException($"Expected a normalised image of shape [N,3,H,W]; got [{string.Join(",", initialImage.shape)}].", nameof(initialImage));
        }

        ResumeFrom?.CheckFits(Settings, iterations, initialImage.shape, nameof(ResumeFrom));
        if (CheckpointInterval < 0 || (CheckpointInterval > 0 && Settings.Kind != OptimizerKind.Adam))
        {
            throw new ArgumentException(CheckpointInterval < 0
                ? $"{nameof(CheckpointInterval)} must not be negative; got {CheckpointInterval}."
                : $"{nameof(CheckpointInterval)} needs the Adam optimiser (got {Settings.Kind}).");
        }
        cancellationToken.ThrowIfCancellationRequested();
        using var allocation = NativeAllocator.EnterRun(initialImage.shape);
        try
        {
            return OptimizeCore(initialImage, losses, iterations, progress, cancellationToken);
        }
        catch (Exception ex) when (OutOfMemory.Is(ex))
        {
            throw OutOfMemory.Wrap(ex, $"optimising a {initialImage.shape[3]}×{initialImage.shape[2]} image", _extractor.Device.ToString());
        }
    }

    private OptimizationResult OptimizeCore(
        Tensor initialImage,
        IReadOnlyList<ILoss> losses,
        int iterations,
        IProgress<StyleTransferProgress>? progress,
        CancellationToken cancellationToken)
    {
        // On the CPU reading a value costs no pipeline stall, so the loss is checked every iteration; on a GPU at progress reports.
        var checkInterval = _extractor.Device.type == DeviceType.CPU ? 1 : Settings.ProgressInterval;
        var pixelCount = initialImage.shape[0] * initialImage.shape[2] * initialImage.shape[3];
        using var run = new OptimizationSteps(_extractor, losses, checkInterval);
        using var scalars = new OwnedScalars();
        // On the CPU the native heap is shared with TorchSharp's small objects; see NativeAllocator.ReleaseUnreachableObjects.
        var releaseBetweenIterations = _extractor.Device.type == DeviceType.CPU;

        using var pixels = OptimizationSteps.CreatePixels(initialImage);
        using var lbfgs = Settings.Kind == OptimizerKind.Lbfgs ? OptimizationSteps.CreateLbfgs(Settings, iterations) : null;
        PixelAdam? adam = null;
        try
        {
            LogStarted(_logger, Settings.Kind, iterations, initialImage.shape[3], initialImage.shape[2], _extractor.Device);
            var stopwatch = Stopwatch.StartNew();
            var rate = ResumeFrom?.LearningRate ?? Settings.LearningRateAt(0, iterations);
            if (lbfgs is null)
            {
                adam = OptimizationSteps.CreateAdam(pixels, rate);
                ResumeFrom?.Restore(pixels, adam);
            }

            LossValues? final = null;
            LossValues? accepted = null;
            var done = iterations;
            for (var t = ResumeFrom?.Iteration ?? 0; t < iterations; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (releaseBetweenIterations && NativeAllocator.CollectsBefore(pixelCount, t))
                {
                    NativeAllocator.ReleaseUnreachableObjects();
                }

                var newRate = Settings.LearningRateAt(t, iterations);
                if (newRate != rate)
                {
                    // The seed starts a fresh optimiser when the rate changes.
                    adam?.Dispose();
                    adam = OptimizationSteps.CreateAdam(pixels, newRate);
                    rate = newRate;
                }

                if (Settings.EffectiveClampBound is { } bound && t < iterations - Settings.UnclampedFinalIterations)
                {
                    using var noGrad = no_grad();
                    pixels.clamp_(scalars[-bound], scalars[bound]);
                }

                using var scope = NewDisposeScope();
                Tensor[] terms;
                LossValues? values = null;
                var last = t == iterations - 1;
                if (lbfgs is null)
                {
                    terms = run.AdamStep(adam!, pixels);
                }
                else
                {
                    // Reports, checks and previews follow L-BFGS's accepted point (the lowest loss so far), not its trials.
                    (terms, var evaluated, var wasAccepted) = run.LbfgsStep(lbfgs, pixels);
                    accepted = wasAccepted ? evaluated : accepted;
                    values = accepted ?? evaluated;
                    if (lbfgs.Stalled && !lbfgs.Converged)
                    {
                        throw new NumericalInstabilityException(
                            $"L-BFGS found no point with a finite loss and gradient at iteration {t} (the loss there is {lbfgs.LastTrialLoss}; {evaluated}). Lower the loss weights.")
                        { Iteration = t, Losses = evaluated };
                    }

                    if (lbfgs.Converged && !last)
                    {
                        // Settled: the run ends here, on the accepted point.
                        last = true;
                        done = t + 1;
                    }
                }

                var previewDue = Settings.PreviewInterval > 0 && ((t + 1) % Settings.PreviewInterval == 0 || last);
                var checkpointDue = CheckpointInterval > 0 && (t + 1) % CheckpointInterval == 0 && !last;
                var report = progress is not null && ((t + 1) % Settings.ProgressInterval == 0 || last || previewDue || checkpointDue);
                // The first iteration is always read, so that the time left is measured from its end (on a GPU as well).
                var check = report || last || (t + 1) % run.CheckInterval == 0 || (t == 0 && progress is IFirstIterationTiming);
                if (check)
                {
                    values ??= run.Read(terms);
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
                        // L-BFGS ends on its accepted point, the lowest loss it evaluated, not on an untried step.
                        lbfgs?.RestoreAccepted(pixels);
                        if (lbfgs is not null)
                        {
                            using var noGrad = no_grad();
                            pixels.copy_(run.Displayable(pixels));
                        }

                        final = values;
                    }

                    if (report)
                    {
                        var preview = previewDue ? Previews.Create(lbfgs?.AcceptedView(pixels.shape) is { } point ? run.Displayable(point) : pixels, PreviewTransform) : null;
                        progress!.Report(new StyleTransferProgress(t + 1, iterations, values, rate, stopwatch.Elapsed) { Preview = preview, Checkpoint = checkpointDue ? OptimizerCheckpoint.Capture(t + 1, rate, pixels, adam!) : null });
                    }
                }

                if (last)
                {
                    break;
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
                    $"The image became NaN or infinite in the last step (iteration {iterations - 1}) although the loss was finite ({final}). Lower the learning rate.")
                { Iteration = Math.Max(0, iterations - 1), Losses = final };
            }

            if (image.device.type == DeviceType.CUDA)
            {
                torch.cuda.synchronize();
            }

            stopwatch.Stop();
            LogFinished(_logger, iterations, stopwatch.Elapsed.TotalMilliseconds, final);
            return new OptimizationResult(image, final, done, stopwatch.Elapsed);
        }
        finally
        {
            adam?.Dispose();
        }
    }

    private static bool AllFinite(Tensor image)
    {
        using var scope = NewDisposeScope();
        return image.isfinite().all().item<bool>();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Style transfer: {Optimizer}, {Iterations} iterations, {Width}x{Height} on {Device}")]
    private static partial void LogStarted(ILogger logger, OptimizerKind optimizer, int iterations, long width, long height, Device device);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Style transfer done: {Iterations} iterations in {Milliseconds:F0} ms; final losses {Losses}")]
    private static partial void LogFinished(ILogger logger, int iterations, double milliseconds, LossValues losses);
}
