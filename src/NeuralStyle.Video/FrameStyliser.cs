using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Video.Flow;
using NeuralStyle.Video.Losses;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Video;

/// <summary>
/// Stylises one frame: the first (or, without temporal consistency, every) frame as a still image from its content; later
/// frames from the previous result warped along the optical flow, with a <see cref="TemporalLoss"/> towards it.
/// </summary>
internal sealed class FrameStyliser(IReadOnlyList<SKBitmap> styles, VideoStyleTransferOptions options, Device device)
{
    /// <summary>The options of every frame: the frames arrive at the working size, so the content is not resized again.</summary>
    private readonly StyleTransferOptions _still = options.Style with
    {
        ImageSize = null,
        StyleSize = options.Style.StyleSize ?? options.Style.ImageSize,
    };

    /// <summary>The iterations frame <paramref name="index"/> (0-based) does.</summary>
    public int IterationsOf(int index) => index == 0 || !options.TemporalConsistency ? options.Style.Iterations : options.FrameIterations;

    /// <summary>Stylises frame <paramref name="index"/>; <paramref name="previous"/> holds the previous frame's content and result.</summary>
    public async Task<StyleTransferResult> StyliseAsync(
        int index, VideoFrame content, (VideoFrame Content, VideoFrame Result)? previous, IProgress<StyleTransferProgress>? progress, CancellationToken cancellationToken)
    {
        using var bitmap = content.ToBitmap();
        if (index == 0 || !options.TemporalConsistency || previous is not { } prior)
        {
            return await StyleTransfer.RunAsync(bitmap, styles, _still, progress, cancellationToken).ConfigureAwait(false);
        }

        var (start, loss) = WarmStart(prior.Content, content, prior.Result, options.TemporalWeight, device);
        using (start)
        using (loss)
        {
            var frame = _still with
            {
                Iterations = options.FrameIterations,
                Optimizer = _still.Optimizer with { LearningRate = options.FrameLearningRate },
                Initialization = Initialization.Image,
                InitialImage = start,
                AdditionalLosses = [.. _still.AdditionalLosses, loss],
                HighResolution = _still.HighResolution with { CoarseToFine = CoarseToFineMode.Off },
            };
            return await StyleTransfer.RunAsync(bitmap, styles, frame, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The previous result warped into this frame (the start) and the temporal loss towards it, weighted by the flows'
    /// consistency (see <see cref="FlowWarp.ConsistencyWeights"/>).
    /// </summary>
    internal static (SKBitmap Start, TemporalLoss Loss) WarmStart(VideoFrame previousContent, VideoFrame content, VideoFrame previousResult, double weight, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var backward = OpticalFlow.Estimate(content, previousContent);
        var forward = OpticalFlow.Estimate(previousContent, content);
        var weights = FlowWarp.ConsistencyWeights(backward, forward);
        var warped = FlowWarp.Warp(previousResult.ToTensor(), backward);
        var start = ImageTensor.ToBitmap(warped);
        try
        {
            return (start, new TemporalLoss(warped.to(device), weights.to(device), weight));
        }
        catch
        {
            start.Dispose();
            throw;
        }
    }
}
