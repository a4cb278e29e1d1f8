using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>
/// The cost of the distributed path over a plain <c>RunAsync</c> at 256 px (docs/scaling.md). A measurement, not a unit
/// test: it runs only with NEURALSTYLE_MEASURE=1 (minutes of CPU) and asserts only that both paths produced an image.
/// </summary>
public sealed class OverheadMeasurement(ITestOutputHelper output)
{
    [Fact]
    public async Task Distributed_path_versus_plain_RunAsync_at_256_px()
    {
        if (Environment.GetEnvironmentVariable("NEURALSTYLE_MEASURE") != "1")
        {
            Assert.Skip("A measurement: set NEURALSTYLE_MEASURE=1 to run it.");
        }

        var iterations = int.Parse(Environment.GetEnvironmentVariable("NEURALSTYLE_MEASURE_ITERATIONS") ?? "100", CultureInfo.InvariantCulture);
        var request = TestAssets.Request(size: 256, iterations: iterations);
        await using var service = await ServiceCluster.StartAsync(1, o =>
        {
            o.PreviewInterval = 10;
            o.CheckpointInterval = 20;
        });
        var client = service.NewClient();
        using var content = SKBitmap.Decode(TestAssets.Content);
        using var style = SKBitmap.Decode(TestAssets.Style);
        var options = StyleTransferPresets.CompositionVii with
        {
            ImageSize = 256, StyleSize = 256, Iterations = iterations,
            Optimizer = StyleTransferPresets.CompositionVii.Optimizer with { PreviewInterval = 10, ProgressInterval = 10 },
            Runtime = StyleTransferPresets.CompositionVii.Runtime with { Device = "cpu", Threads = 1 },
            Weights = StyleTransferPresets.CompositionVii.Weights with { Path = TestAssets.Weights },
        };

        // Warm both paths once, then alternate three times each.
        (await RunPlainAsync(content, style, options)).Should().BePositive();
        (await RunServiceAsync(client, request)).Should().BePositive();
        double plain = double.MaxValue, distributed = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            plain = Math.Min(plain, await RunPlainAsync(content, style, options));
            distributed = Math.Min(distributed, await RunServiceAsync(client, request));
        }

        Measurements.Report(output, string.Create(CultureInfo.InvariantCulture,
            $"256 px, {iterations} iterations, 1 thread, previews every 10, checkpoints every 20: plain RunAsync (with previews encoded) {plain:F2} s, submit-to-result through one silo {distributed:F2} s, overhead {(distributed / plain - 1) * 100:F1} % (best of 3 each)"));
    }

    private static async Task<double> RunPlainAsync(SKBitmap content, SKBitmap style, StyleTransferOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        using var result = await StyleTransfer.RunAsync(content, style, options, new Sync(p =>
        {
            if (p.Preview is { } b)
            {
                using var data = b.Encode(SKEncodedImageFormat.Png, 100);
                b.Dispose();
            }
        }));
        using var png = result.Image.Encode(SKEncodedImageFormat.Png, 100);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<double> RunServiceAsync(StyleJobClient client, StyleJobRequest request)
    {
        var stopwatch = Stopwatch.StartNew();
        var id = await client.SubmitAsync(request);
        await ServiceCluster.WaitFinishedAsync(client, id, TimeSpan.FromMinutes(10));
        (await client.GetResultAsync(id)).Should().NotBeEmpty();
        return stopwatch.Elapsed.TotalSeconds;
    }

    private sealed class Sync(Action<StyleTransferProgress> handler) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value) => handler(value);
    }
}
