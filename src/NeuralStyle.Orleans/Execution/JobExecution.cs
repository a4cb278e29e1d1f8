using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Jobs;
using SkiaSharp;

namespace NeuralStyle.Orleans.Execution;

/// <summary>A progress report of a running job, with the iteration counted from the job's start.</summary>
internal sealed record JobUpdate(int Iteration, int TotalIterations, double Loss, byte[]? Preview);

/// <summary>A finished job's image (PNG) and final loss.</summary>
internal sealed record JobOutcome(byte[] Png, double Loss);

/// <summary>Runs a job's style transfer, from the start or from a checkpoint.</summary>
internal static class JobExecution
{
    /// <summary>
    /// Runs the job. With a checkpoint (the image after <paramref name="startIteration"/> iterations) the run starts from that
    /// image and does the remaining iterations at the decayed learning rate (see <see cref="Resumed"/>).
    /// </summary>
    public static async Task<JobOutcome> RunAsync(
        JobInputs inputs,
        int startIteration,
        byte[]? checkpoint,
        NeuralStyleServiceOptions service,
        Action<JobUpdate> onUpdate,
        CancellationToken cancellationToken)
    {
        var request = inputs.Request!;
        var options = JobValidator.ToStyleTransferOptions(request.Options, service);
        var total = options.Iterations;
        using var content = JobValidator.Decode(request.Content, "content image", service.Limits);
        var styles = new List<SKBitmap>();
        SKBitmap? initial = null;
        try
        {
            foreach (var style in request.Styles)
            {
                styles.Add(JobValidator.Decode(style, "style image", service.Limits));
            }

            if (checkpoint is not null && startIteration > 0 && startIteration < total)
            {
                initial = JobValidator.Decode(checkpoint, "checkpoint", service.Limits);
                options = Resumed(options, startIteration, initial);
            }
            else
            {
                startIteration = 0;
            }

            var progress = new Reporter(report =>
            {
                byte[]? preview = null;
                if (report.Preview is { } bitmap)
                {
                    preview = Png(bitmap);
                    bitmap.Dispose();
                }

                onUpdate(new JobUpdate(startIteration + report.Iteration, total, report.TotalLoss, preview));
            });
            using var result = await StyleTransfer.RunAsync(content, styles, options, progress, cancellationToken).ConfigureAwait(false);
            return new JobOutcome(Png(result.Image), result.FinalLosses.Total);
        }
        finally
        {
            initial?.Dispose();
            foreach (var style in styles)
            {
                style.Dispose();
            }
        }
    }

    /// <summary>
    /// The options for the rest of a job after <paramref name="done"/> of its iterations, starting from <paramref name="image"/>.
    /// The checkpoint holds the image but not Adam's moment estimates (the library does not expose them); a fresh Adam at the
    /// full rate would take a first step of that rate on every pixel and undo much of the work, so the rest runs at
    /// <see cref="Optimization.OptimizerOptions.DecayedLearningRate"/> (measured in docs/scaling.md).
    /// </summary>
    internal static StyleTransferOptions Resumed(StyleTransferOptions options, int done, SKBitmap image)
    {
        var remaining = options.Iterations - done;
        var resumed = options with
        {
            Iterations = remaining,
            Initialization = Initialization.Image,
            InitialImage = image,
        };
        return resumed with { Optimizer = options.Optimizer with { LearningRate = options.Optimizer.DecayedLearningRate, DecayStartFraction = 1 } };
    }

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
