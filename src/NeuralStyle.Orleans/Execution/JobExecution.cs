using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Optimization;
using NeuralStyle.Orleans.Jobs;
using SkiaSharp;

namespace NeuralStyle.Orleans.Execution;

/// <summary>
/// A progress report of a running job: the iteration counted from the job's start, a preview when one passed the
/// <see cref="PreviewThrottle"/> (not yet encoded; whoever takes the update owns and disposes it), and an optimiser
/// checkpoint when one is due.
/// </summary>
internal sealed record JobUpdate(int Iteration, int TotalIterations, double Loss, SKBitmap? Preview, byte[]? Checkpoint);

/// <summary>A finished job's image (PNG) and final loss.</summary>
internal sealed record JobOutcome(byte[] Png, double Loss);

/// <summary>Runs a job's style transfer, from the start or from an optimiser checkpoint.</summary>
internal static class JobExecution
{
    /// <summary>
    /// Runs the job. With a checkpoint the run goes on where it was taken, Adam's state included, and ends on the image an
    /// uninterrupted run ends on; a checkpoint is attached to an update every <see cref="NeuralStyleServiceOptions.CheckpointInterval"/> iterations,
    /// and a preview as the <see cref="PreviewThrottle"/> allows (timed by <paramref name="clock"/>). <paramref name="onUpdate"/> is
    /// called on the run's thread and owns the preview it is given: it must return at once and leave the encoding to another thread.
    /// </summary>
    public static async Task<JobOutcome> RunAsync(
        JobInputs inputs,
        OptimizerCheckpoint? checkpoint,
        NeuralStyleServiceOptions service,
        TimeProvider clock,
        Action<JobUpdate> onUpdate,
        CancellationToken cancellationToken)
    {
        var request = inputs.Request!;
        var options = JobValidator.ToStyleTransferOptions(request.Options, service) with { ResumeFrom = checkpoint };
        var total = options.Iterations;
        using var content = JobValidator.Decode(request.Content, "content image", service.Limits);
        var styles = new List<SKBitmap>();
        try
        {
            foreach (var style in request.Styles)
            {
                styles.Add(JobValidator.Decode(style, "style image", service.Limits));
            }

            var throttle = new PreviewThrottle(clock, service.PreviewMinimumInterval, total);
            var progress = new Reporter(report =>
            {
                var preview = report.Preview;
                if (report.Phase != StyleTransferPhase.Optimizing)
                {
                    preview?.Dispose();
                    return;
                }

                if (preview is not null && !throttle.Admit(report.Iteration))
                {
                    preview.Dispose();
                    preview = null;
                }

                onUpdate(new JobUpdate(report.Iteration, total, report.TotalLoss, preview, report.Checkpoint?.ToBytes()));
            });
            using var result = await StyleTransfer.RunAsync(content, styles, options, progress, cancellationToken).ConfigureAwait(false);
            return new JobOutcome(Png(result.Image), result.FinalLosses.Total);
        }
        finally
        {
            foreach (var style in styles)
            {
                style.Dispose();
            }
        }
    }

    /// <summary>Reads a stored checkpoint, bounded as the job's image is (<see cref="JobLimits.MaxImagePixels"/>).</summary>
    /// <exception cref="CheckpointFormatException">The stored bytes are not a valid checkpoint.</exception>
    public static OptimizerCheckpoint ReadCheckpoint(byte[] bytes, NeuralStyleServiceOptions service)
        => OptimizerCheckpoint.FromBytes(bytes, service.Limits.MaxImagePixels);

    internal static byte[] Png(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Calls the handler on the reporting thread (unlike <see cref="Progress{T}"/>, which posts to a context).</summary>
    private sealed class Reporter(Action<StyleTransferProgress> handler) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value) => handler(value);
    }
}
