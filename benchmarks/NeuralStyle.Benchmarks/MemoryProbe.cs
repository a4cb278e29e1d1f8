using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using NeuralStyle.Features;
using NeuralStyle.Optimization;
using TorchSharp;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Resident memory over one long optimisation of the step timer's problem: one JSON line every <c>--every</c> iterations
/// with the current and peak resident memory above the baseline (taken after the network is loaded, before the problem),
/// that growth split into anonymous memory (native heap, tensors, the managed heap) and file pages (library code run for
/// the first time), the managed heap's committed memory,
/// and the wall-clock and processor time per iteration (the processor time is the steadier figure on a busy machine).
/// Arguments: <c>--weights PATH</c>, <c>--size 512</c>, <c>--iterations 600</c>, <c>--every 50</c>, <c>--threads N</c>,
/// <c>--channels-last 0|1</c>, <c>--thread main|dedicated</c> (the optimisation on the process's main thread, the default, or on
/// a thread of its own, as <c>StyleTransfer.RunAsync</c> runs it).
/// </summary>
internal static class MemoryProbe
{
    public static int Run(string[] args)
    {
        var o = StepTimer.Parse(args);
        var size = int.Parse(o.GetValueOrDefault("size") ?? "512", CultureInfo.InvariantCulture);
        var iterations = int.Parse(o.GetValueOrDefault("iterations") ?? "600", CultureInfo.InvariantCulture);
        var every = int.Parse(o.GetValueOrDefault("every") ?? "50", CultureInfo.InvariantCulture);
        using var extractor = StepTimer.OpenExtractor(o, torch.CPU);

        using var process = Process.GetCurrentProcess();
        var baseline = process.WorkingSet64;
        var (anonBaseline, fileBaseline) = ResidentKinds();
        using var problem = new BenchmarkProblem(extractor, size, (size * 4) / 3);
        var optimizer = new StyleTransferOptimizer(extractor, new OptimizerOptions { DecayStartFraction = 1, ProgressInterval = every });
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var lastCpu = process.TotalProcessorTime;
        var progress = new Inline(p =>
        {
            process.Refresh();
            var now = clock.Elapsed;
            var cpu = process.TotalProcessorTime;
            var (anon, file) = ResidentKinds();
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                iteration = p.Iteration,
                rss_over_baseline_mb = Math.Round((process.WorkingSet64 - baseline) / 1048576.0, 1),
                peak_over_baseline_mb = Math.Round((process.PeakWorkingSet64 - baseline) / 1048576.0, 1),
                baseline_mb = Math.Round(baseline / 1048576.0, 1),
                anon_over_baseline_mb = Math.Round((anon - anonBaseline) / 1048576.0, 1),
                file_over_baseline_mb = Math.Round((file - fileBaseline) / 1048576.0, 1),
                managed_committed_mb = Math.Round(GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, 1),
                ms_per_step = Math.Round((now - last).TotalMilliseconds / every, 2),
                cpu_ms_per_step = Math.Round((cpu - lastCpu).TotalMilliseconds / every, 2),
                channels_last = extractor.ChannelsLast,
                allocator_tuned = Internal.NativeAllocator.IsTuned,
            }));
            last = now;
            lastCpu = cpu;
        });
        if (o.GetValueOrDefault("thread") == "dedicated")
        {
            // As StyleTransfer.RunAsync runs: on a thread of its own, whose blocks glibc serves from a per-thread arena.
            var thread = new System.Threading.Thread(() => optimizer.Optimize(problem.Image, problem.Losses, iterations, progress).Dispose(), 16 << 20);
            thread.Start();
            thread.Join();
        }
        else
        {
            optimizer.Optimize(problem.Image, problem.Losses, iterations, progress).Dispose();
        }
        return 0;
    }

    /// <summary>Resident anonymous memory (heap, tensors) and resident file pages (code and data of loaded libraries), in bytes, from /proc/self/status.</summary>
    private static (long Anon, long File) ResidentKinds()
    {
        long anon = 0, file = 0;
        foreach (var line in System.IO.File.ReadLines("/proc/self/status"))
        {
            static long Kb(string l) => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kb(line);
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = Kb(line);
            }
        }

        return (anon, file);
    }

    // Reports synchronously on the optimiser's thread (Progress<T> would post to the thread pool).
    private sealed class Inline(Action<StyleTransferProgress> report) : IProgress<StyleTransferProgress>
    {
        public void Report(StyleTransferProgress value) => report(value);
    }
}
