using System;
using System.Collections.Generic;
using NeuralStyle.Imaging;
using SkiaSharp;

namespace NeuralStyle.Video.Tests;

/// <summary>Small, fast runs: 64×48 frames, a 64-pixel style, a few iterations, one thread on the CPU.</summary>
internal static class VideoRunKit
{
    public static VideoStyleTransferOptions Tiny(int firstIterations = 4, int frameIterations = 2) => Options(Clips.Weights(), firstIterations, frameIterations);

    /// <summary>Options for runs refused before the weights are needed (no weight file, no download).</summary>
    public static VideoStyleTransferOptions Refused() => Options(null, 4, 2);

    private static VideoStyleTransferOptions Options(string? weights, int firstIterations, int frameIterations) => new()
    {
        Style = StyleTransferPresets.CompositionVii with
        {
            ImageSize = null,
            StyleSize = 64,
            Iterations = firstIterations,
            Runtime = StyleTransferPresets.CompositionVii.Runtime with { Threads = 1, Device = "cpu" },
            Weights = StyleTransferPresets.CompositionVii.Weights with { Path = weights, AllowDownload = false },
        },
        FrameIterations = frameIterations,
    };

    public static SKBitmap Style() => ImageFile.Load(Clips.Sample("style-mosaic.png"));

    /// <summary>Collects progress synchronously (System.Progress would post to the thread pool).</summary>
    public sealed class Recorder(Action<VideoStyleTransferProgress>? onReport = null) : IProgress<VideoStyleTransferProgress>
    {
        public List<VideoStyleTransferProgress> Reports { get; } = [];

        public void Report(VideoStyleTransferProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }

            onReport?.Invoke(value);
        }
    }
}
