using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>
/// A bounded loopback load test: N clients submit 64 px jobs and poll their status for T seconds, then stop by themselves
/// and wait for what they submitted. Reports p50/p95 of submit and status and the jobs finished per second; asserts only
/// that every job finished once (timings are reported, never asserted).
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task N_clients_for_T_seconds_report_latency_and_throughput()
    {
        const int clients = 4;
        var duration = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("NEURALSTYLE_LOAD_SECONDS") ?? "8", CultureInfo.InvariantCulture));
        await using var service = await ServiceCluster.StartAsync(2);
        var submits = new ConcurrentBag<double>();
        var statuses = new ConcurrentBag<double>();
        var jobs = new ConcurrentBag<(StyleJobClient Client, string Id)>();
        var content = TestAssets.Png(96, 64);
        using (var seed = SKBitmap.Decode(TestAssets.Content))
        using (var small = seed.Resize(new SKImageInfo(96, 64), SKSamplingOptions.Default))
        using (var data = small.Encode(SKEncodedImageFormat.Png, 100))
        {
            content = data.ToArray();
        }

        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var client = service.NewClient();
            var mine = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                var id = await client.SubmitAsync(new StyleJobRequest { Content = content, Styles = [TestAssets.Style], Options = new StyleJobOptions { ImageSize = 64, Iterations = 10, Seed = c } });
                submits.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                jobs.Add((client, id));
                mine.Add(id);

                // Each client keeps at most two jobs in flight, polling their status meanwhile.
                while (!stop.IsCancellationRequested)
                {
                    var unfinished = 0;
                    foreach (var job in mine.ToArray())
                    {
                        t = Stopwatch.GetTimestamp();
                        var status = await client.GetStatusAsync(job);
                        statuses.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                        unfinished += status.IsFinished ? 0 : 1;
                        if (status.IsFinished)
                        {
                            mine.Remove(job);
                        }
                    }

                    if (unfinished < 2)
                    {
                        break;
                    }

                    await Task.Delay(20);
                }
            }
        }));
        var finished = await Task.WhenAll(jobs.Select(j => ServiceCluster.WaitFinishedAsync(j.Client, j.Id, TimeSpan.FromMinutes(2))));
        var elapsed = stopwatch.Elapsed;

        finished.Should().OnlyContain(s => s.Status == JobStatus.Succeeded);
        service.CompletedJobs.Should().BeEquivalentTo(jobs.Select(j => j.Id));
        Measurements.Report(output, string.Create(CultureInfo.InvariantCulture,
            $"{clients} clients for {duration.TotalSeconds:F0} s on 2 silos (capacity 1, 1 thread each), 64 px, 10 iterations: {finished.Length} jobs in {elapsed.TotalSeconds:F1} s = {finished.Length / elapsed.TotalSeconds:F2} jobs/s; " +
            $"submit p50 {Percentile(submits, 50):F1} ms, p95 {Percentile(submits, 95):F1} ms ({submits.Count}); status p50 {Percentile(statuses, 50):F2} ms, p95 {Percentile(statuses, 95):F2} ms ({statuses.Count})"));
    }

    private static double Percentile(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)];
    }
}
