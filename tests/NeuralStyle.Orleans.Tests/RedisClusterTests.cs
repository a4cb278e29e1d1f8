using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>The service on a real Redis server (membership and state): a silo lost mid-job, then the whole cluster restarted.</summary>
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Jobs_survive_a_lost_silo_and_a_restart_of_the_whole_cluster()
    {
        using var redis = await RedisServer.StartAsync();
        var ids = redis.NewCluster();
        var key = TestAssets.NewKey();
        var request = TestAssets.Request(size: 48, iterations: 80);
        string[] jobs;
        string victim;
        var first = await ServiceCluster.StartAsync(3, redis: ids);
        try
        {
            var client = first.NewClient(key);
            jobs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SubmitAsync(request)));
            var primary = first.Cluster.Silos[0].Name;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            JobSnapshot? running = null;
            while (running is null)
            {
                var statuses = await Task.WhenAll(jobs.Select(id => client.GetStatusAsync(id)));
                running = statuses.FirstOrDefault(s => s.Status == JobStatus.Running && s.Silo != primary && s.Iteration is >= 25 and < 60);
                await Task.Delay(50, timeout.Token);
            }

            victim = running.JobId;
            await first.Cluster.KillSiloAsync(first.Cluster.Silos.Single(s => s.Name == running.Silo));
            var resumed = await ServiceCluster.WaitFinishedAsync(client, victim, TimeSpan.FromMinutes(2));
            resumed.Status.Should().Be(JobStatus.Succeeded);
            resumed.ResumedFrom.Should().ContainSingle().Which.Should().BeGreaterThanOrEqualTo(20);
            output.WriteLine($"lost silo: resumed from {resumed.ResumedFrom[0]}");

            // Jobs submitted just before the whole cluster stops: queued or running when it goes, whatever the machine's speed.
            jobs = [.. jobs, .. await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.SubmitAsync(request)))];
            (await Task.WhenAll(jobs.Select(id => client.GetStatusAsync(id)))).Should().Contain(s => !s.IsFinished, "some jobs are still to run when the cluster stops");
        }
        finally
        {
            await first.DisposeAsync();
        }

        string[] completedBefore = [.. first.CompletedJobs];

        // The whole cluster is gone; a new one on the same Redis picks the jobs up.
        await using var second = await ServiceCluster.StartAsync(2, redis: ids);
        var again = second.NewClient(key);
        var finished = await Task.WhenAll(jobs.Select(id => ServiceCluster.WaitFinishedAsync(again, id, TimeSpan.FromMinutes(3))));
        finished.Should().OnlyContain(s => s.Status == JobStatus.Succeeded);
        completedBefore.Concat(second.CompletedJobs).Should().BeEquivalentTo(jobs, "each job finished exactly once across both clusters");
        (await again.ListAsync()).Select(s => s.JobId).Should().BeEquivalentTo(jobs);
        output.WriteLine($"{completedBefore.Length} finished before the restart, {second.CompletedJobs.Count()} after");
    }
}
