using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Imaging;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>Runs the pipeline on bitmaps inside a dispose scope, as the public API does, and frees its previews.</summary>
internal static class PipelineRun
{
    /// <summary>Runs it; <paramref name="inspect"/> sees the result image (inside the scope) and the reports (before their previews are freed).</summary>
    public static void Run(SKBitmap content, SKBitmap[] styles, StyleTransferOptions options, Action<Tensor, IReadOnlyList<StyleTransferProgress>>? inspect = null)
    {
        var log = new ProgressLog();
        try
        {
            using var scope = NewDisposeScope();
            var contentImage = ImageTensor.FromBitmap(content, options.ImageSize);
            var loaders = styles.Select(s => (Func<int?, Tensor>)(side => ImageTensor.FromBitmap(s, side))).ToArray();
            using var result = NeuralStyle.Pipeline.StyleTransferPipeline.Execute(contentImage, loaders, options, SharedAssets.SafeTensorsWeights, log, TestContext.Current.CancellationToken);
            inspect?.Invoke(result.Image, log.Reports);
        }
        finally
        {
            foreach (var report in log.Reports)
            {
                report.Preview?.Dispose();
            }
        }
    }
}
