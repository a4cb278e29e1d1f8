using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_job_whose_silo_dies_finishes_once_on_another_silo_from_its_checkpoint_with_the_uninterrupted_result()
    {
        await using var service = await ServiceCluster.StartAsync(3);
        var client = service.NewClient();
        var primary = service.Cluster.Silos[0].Name;

        // Six jobs over three silos of capacity 1; one running on a secondary silo is the victim.
        var request = TestAssets.Request(size: 48, iterations: 80);
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SubmitAsync(request)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        string? victimJob = null;
        string? victimSilo = null;
        while (victimJob is null)
        {
            var statuses = await Task.WhenAll(ids.Select(id => client.GetStatusAsync(id)));
            timeout.Token.IsCancellationRequested.Should().BeFalse(string.Join("; ", statuses.Select(s => $"{s.Status} {s.Silo} {s.Iteration}")));
            foreach (var status in statuses)
            {
                var id = status.JobId;
                if (status.Status == JobStatus.Running && status.Silo != primary && status.Iteration >= 25 && status.Iteration < 60)
                {
                    (victimJob, victimSilo) = (id, status.Silo);
                    break;
                }
            }

            await Task.Delay(50, timeout.Token);
        }

        var before = await client.GetStatusAsync(victimJob);
        await service.Cluster.KillSiloAsync(service.Cluster.Silos.Single(s => s.Name == victimSilo));
        output.WriteLine($"killed {victimSilo} at iteration {before.Iteration}");

        var finished = await ServiceCluster.WaitFinishedAsync(client, victimJob, TimeSpan.FromMinutes(3));
        finished.Status.Should().Be(JobStatus.Succeeded);
        finished.Silo.Should().NotBe(victimSilo);
        finished.ResumedFrom.Should().ContainSingle().Which.Should().BeGreaterThanOrEqualTo(20, "the job went on from a checkpoint, not from iteration 0");
        service.CompletedJobs.Count(j => j == victimJob).Should().Be(1, "the job finished exactly once");

        // The same job without interruption, on the same cluster (one libtorch thread per job on the CPU): the checkpoint holds
        // Adam's state and the schedule's position with the image, so the resumed job ends on the same loss and the same bytes.
        var uninterruptedId = await client.SubmitAsync(request);
        var uninterrupted = await ServiceCluster.WaitFinishedAsync(client, uninterruptedId, TimeSpan.FromMinutes(3));
        uninterrupted.ResumedFrom.Should().BeEmpty();
        Measurements.Report(output, $"failover: resumed from {finished.ResumedFrom[0]}: loss {finished.Loss:R}; uninterrupted: {uninterrupted.Loss:R}");
        finished.Loss.Should().Be(uninterrupted.Loss);
        (await client.GetResultAsync(victimJob)).Should().Equal(await client.GetResultAsync(uninterruptedId));

        foreach (var id in ids)
        {
            (await ServiceCluster.WaitFinishedAsync(client, id, TimeSpan.FromMinutes(3))).Status.Should().Be(JobStatus.Succeeded);
        }
    }
}
