using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Jobs;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

public sealed class ServiceClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Hundred_jobs_on_three_silos_give_each_result_exactly_once_within_capacity()
    {
        await using var service = await ServiceCluster.StartAsync(3);
        var clients = Enumerable.Range(0, 4).Select(_ => service.NewClient()).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var submitted = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var client = clients[i % clients.Length];
            return (client, id: await client.SubmitAsync(TestAssets.Request(size: 32, iterations: 4, seed: i)));
        }));
        var finished = await Task.WhenAll(submitted.Select(async s =>
        {
            var last = await ServiceCluster.WaitFinishedAsync(s.client, s.id, TimeSpan.FromMinutes(4));
            var png = await s.client.GetResultAsync(s.id);
            return (last, png);
        }));
        Measurements.Report(output, $"100 jobs at 32 px, 4 iterations, 3 silos of capacity 1: {stopwatch.Elapsed.TotalSeconds:F1} s");

        finished.Should().OnlyContain(f => f.last.Status == JobStatus.Succeeded);
        foreach (var (_, png) in finished)
        {
            using var bitmap = SKBitmap.Decode(png);
            Math.Min(bitmap.Width, bitmap.Height).Should().Be(32);
        }

        service.CompletedJobs.Should().BeEquivalentTo(submitted.Select(s => s.id), "each job's result is written exactly once");
        service.AllSlots.Should().OnlyContain(s => s.Peak <= s.Capacity);
        service.AllSlots.Count(s => s.Completed.Count > 0).Should().BeGreaterThan(1, "jobs spread over the silos");

        // The job index is sharded by job id: every job is in its own shard, and the jobs spread over the shards.
        var shards = JobIndexShards.All(service.Cluster.Client);
        var indexed = await Task.WhenAll(shards.Select(s => s.DueAsync(DateTimeOffset.MaxValue)));
        indexed.SelectMany(jobs => jobs).Should().BeEquivalentTo(submitted.Select(s => s.id));
        for (var shard = 0; shard < shards.Length; shard++)
        {
            // A shard may hold none of the 100 jobs (about 2.5 % of runs leave one empty); those it holds are its own.
            indexed[shard].Where(id => JobIndexShards.Of(id) != shard).Should().BeEmpty($"shard {shard} holds only its own jobs");
        }

        indexed.Count(jobs => jobs.Count > 0).Should().BeGreaterThanOrEqualTo(JobIndexShards.Count * 3 / 4, "100 jobs fall into most of the 16 shards");
        foreach (var slots in service.AllSlots)
        {
            Measurements.Report(output, $"silo: {slots.Completed.Count} jobs, peak {slots.Peak} of {slots.Capacity}");
        }
    }
}
