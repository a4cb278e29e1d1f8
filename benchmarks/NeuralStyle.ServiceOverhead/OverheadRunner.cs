using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Jobs;
using SkiaSharp;

namespace NeuralStyle.ServiceOverhead;

/// <summary>
/// Runs the same job plainly (<see cref="StyleTransfer.RunAsync(SKBitmap, SKBitmap, StyleTransferOptions, IProgress{StyleTransferProgress}?, System.Threading.CancellationToken)"/>
/// with the options the service derives for it, minus previews and checkpoints) and through the service, in pairs whose
/// order alternates, and reports each path's process CPU time and wall time and the per-pair ratios.
/// </summary>
internal static class OverheadRunner
{
    public static async Task<int> RunAsync(RunnerArguments arguments)
    {
        var request = new StyleJobRequest
        {
            Content = await File.ReadAllBytesAsync(arguments.Content).ConfigureAwait(false),
            Styles = [await File.ReadAllBytesAsync(arguments.Style).ConfigureAwait(false)],
            Options = new StyleJobOptions { ImageSize = arguments.Size, Iterations = arguments.Iterations },
        };
        await using var service = await ServiceUnderTest.StartAsync(o =>
        {
            o.Device = arguments.Device;
            o.ThreadsPerJob = arguments.Threads;
            o.WeightsPath = arguments.Weights;
            o.PreviewInterval = arguments.PreviewInterval;
            o.PreviewMinimumInterval = TimeSpan.FromMilliseconds(arguments.PreviewMinimumMilliseconds);
            o.CheckpointInterval = arguments.CheckpointInterval;
        }).ConfigureAwait(false);

        // The plain run is the job as the service runs it (JobExecution), without what the service adds: previews, checkpoints.
        var jobOptions = JobValidator.ToStyleTransferOptions(request.Options, service.Options);
        var plainOptions = jobOptions with
        {
            CheckpointInterval = 0,
            Optimizer = jobOptions.Optimizer with { PreviewInterval = 0 },
        };
        Task<byte[]> Plain() => PlainAsync(request, plainOptions, service);
        Task<byte[]> Distributed() => service.RunAsync(request);

        // A warm-up of each path, and the check that both do the same work: the results must be the same bytes.
        var plainPng = (await MeasureAsync(Plain).ConfigureAwait(false)).Png;
        var servicePng = (await MeasureAsync(Distributed).ConfigureAwait(false)).Png;
        if (!plainPng.AsSpan().SequenceEqual(servicePng))
        {
            await Console.Error.WriteLineAsync("The two paths gave different images, so they did not do the same work; no comparison made.").ConfigureAwait(false);
            return 1;
        }

        var pairs = new List<Pair>();
        for (var index = 0; index < arguments.Pairs; index++)
        {
            var plainFirst = index % 2 == 0;
            var first = await MeasureAsync(plainFirst ? Plain : Distributed).ConfigureAwait(false);
            var second = await MeasureAsync(plainFirst ? Distributed : Plain).ConfigureAwait(false);
            var (plain, distributed) = plainFirst ? (first, second) : (second, first);
            if (!plain.Png.AsSpan().SequenceEqual(plainPng) || !distributed.Png.AsSpan().SequenceEqual(plainPng))
            {
                await Console.Error.WriteLineAsync("A run's result differs from the warm-up's; no comparison made.").ConfigureAwait(false);
                return 1;
            }

            var pair = new Pair(index, plainFirst ? "plain-first" : "service-first", plain.CpuS, plain.WallS, distributed.CpuS, distributed.WallS, LoadAverage());
            pairs.Add(pair);
            Console.WriteLine(JsonSerializer.Serialize(pair));
        }

        var summary = Summary.From(arguments, service.Options, pairs);
        Console.WriteLine(JsonSerializer.Serialize(summary));
        Console.WriteLine(summary.Describe());
        return 0;
    }

    private static async Task<byte[]> PlainAsync(StyleJobRequest request, StyleTransferOptions options, ServiceUnderTest service)
    {
        using var content = JobValidator.Decode(request.Content, "content image", service.Options.Limits);
        using var style = JobValidator.Decode(request.Styles[0], "style image", service.Options.Limits);
        using var result = await StyleTransfer.RunAsync(content, style, options, progress: null, service.Stopping).ConfigureAwait(false);
        return JobExecution.Png(result.Image);
    }

    private static async Task<Run> MeasureAsync(Func<Task<byte[]>> path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var png = await path().ConfigureAwait(false);
        wall.Stop();
        process.Refresh();
        return new Run((process.TotalProcessorTime - cpu).TotalSeconds, wall.Elapsed.TotalSeconds, png);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private sealed record Run(double CpuS, double WallS, byte[] Png);
}
