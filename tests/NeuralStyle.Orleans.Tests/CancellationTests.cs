using System;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>Cancelling a job while other things happen to it.</summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_queued_job_cancelled_while_its_slot_frees_up_stays_cancelled_and_never_runs()
    {
        // One silo with one slot: job A runs, job B waits for the slot.
        await using var service = await ServiceCluster.StartAsync(1, o => o.Limits.MaxIterations = 1_000_000);
        var slots = service.Cluster.Silos[0].ServiceProvider.GetRequiredService<JobSlots>();
        var client = service.NewClient();
        var running = await client.SubmitAsync(TestAssets.Request(size: 32, iterations: 1_000_000, seed: 1));
        await Eventually.WaitUntilAsync(async () => (await client.GetStatusAsync(running)).Status == JobStatus.Running, Wait);
        var queued = await client.SubmitAsync(TestAssets.Request(size: 32, iterations: 1_000_000, seed: 2));
        await Eventually.WaitUntilAsync(() => slots.Waiting == 1, Wait);

        // B's cancellation is half done (its state write held back) when A's cancellation frees the slot.
        var hold = HeldWriteStorage.HoldCancellationOf(queued);
        var cancelQueued = client.CancelAsync(queued);
        await hold.Entered.Task.WaitAsync(Wait);
        await client.CancelAsync(running);
        (await ServiceCluster.WaitFinishedAsync(client, running, Wait)).Status.Should().Be(JobStatus.Cancelled);
        var released = await Released(slots);
        hold.Release.SetResult();
        await cancelQueued.WaitAsync(Wait);

        released.Should().BeTrue("the freed slot is not given to a job being cancelled");
        var last = await ServiceCluster.WaitFinishedAsync(client, queued, Wait);
        last.Status.Should().Be(JobStatus.Cancelled);
        last.Silo.Should().BeNull("the cancelled job never started");
        await Eventually.WaitUntilAsync(() => slots.Running == 0 && slots.Waiting == 0, Wait);
    }

    private static async Task<bool> Released(JobSlots slots)
    {
        try
        {
            await Eventually.WaitUntilAsync(() => slots.Running == 0 && slots.Waiting == 0, TimeSpan.FromSeconds(20));
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
