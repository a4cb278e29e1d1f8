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

        // A warm-up of each path (the runtime compiles a method again, optimised, after it has been called often: a job's
        // once-per-job code reaches that after some jobs), and the check that both do the same work: the same bytes.
        var plainPng = (await MeasureAsync(Plain).ConfigureAwait(false)).Png;
        for (var round = 0; round < arguments.Warmup; round++)
        {
            var plainAgain = round == 0 ? plainPng : (await MeasureAsync(Plain).ConfigureAwait(false)).Png;
            var servicePng = (await MeasureAsync(Distributed).ConfigureAwait(false)).Png;
            if (!plainAgain.AsSpan().SequenceEqual(plainPng) || !servicePng.AsSpan().SequenceEqual(plainPng))
            {
                await Console.Error.WriteLineAsync("The two paths gave different images, so they did not do the same work; no comparison made.").ConfigureAwait(false);
                return 1;
            }
        }

        if (arguments.Paths != "both")
        {
            return await RunOnePathAsync(arguments.Paths == "plain" ? Plain : Distributed, arguments, plainPng).ConfigureAwait(false);
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

            var pair = new Pair(index, plainFirst ? "plain-first" : "service-first", plain.CpuS, plain.WallS, distributed.CpuS, distributed.WallS, LoadAverage()) { PlainThreads = plain.Threads, ServiceThreads = distributed.Threads };
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

    /// <summary>Runs one path <see cref="RunnerArguments.Pairs"/> times (for a profiler, or the split of its CPU time by thread).</summary>
    private static async Task<int> RunOnePathAsync(Func<Task<byte[]>> path, RunnerArguments arguments, byte[] expected)
    {
        for (var index = 0; index < arguments.Pairs; index++)
        {
            // Monotonic-clock seconds (as perf record -k CLOCK_MONOTONIC stamps its samples), to look at one run's samples: perf report --time START,END.
            var start = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
            var run = await MeasureAsync(path).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
            if (!run.Png.AsSpan().SequenceEqual(expected))
            {
                await Console.Error.WriteLineAsync("A run's result differs from the warm-up's.").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(JsonSerializer.Serialize(new { Index = index, arguments.Paths, run.CpuS, run.WallS, run.Threads, MonotonicStart = start, MonotonicEnd = end, LoadAverage = LoadAverage() }));
        }

        return 0;
    }

    private static async Task<Run> MeasureAsync(Func<Task<byte[]>> path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var threads = ThreadCpu.Now();
        var wall = Stopwatch.StartNew();
        var png = await path().ConfigureAwait(false);
        wall.Stop();
        process.Refresh();
        var cpuS = (process.TotalProcessorTime - cpu).TotalSeconds;
        return new Run(cpuS, wall.Elapsed.TotalSeconds, png, ThreadCpu.Now().Since(threads, cpuS));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private sealed record Run(double CpuS, double WallS, byte[] Png, IReadOnlyDictionary<string, double> Threads);
}
