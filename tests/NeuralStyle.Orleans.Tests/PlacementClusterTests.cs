using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Placement;
using NeuralStyle.Orleans.Tests.TestSupport;
using Orleans.TestingHost;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>GPU silos beside a CPU silo on TestingHost: the silos say what they are by options (they all compute on the CPU here).</summary>
public sealed class PlacementClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>TestingHost's name for the first silo (the others are Silo_1, Silo_2, …).</summary>
    private const string CpuSilo = "Silo_0";

    [Fact]
    public async Task Jobs_fill_the_GPU_silos_then_the_CPU_silo_then_queue_on_a_GPU_silo()
    {
        // Silo_0 is a CPU silo; Silo_1 and Silo_2 are GPU silos; one slot each.
        await using var service = await ServiceCluster.StartAsync(
            3,
            o => o.Limits.MaxIterations = 1_000_000,
            perSilo: (name, o) => o.Accelerator = name == CpuSilo ? SiloAccelerator.Cpu : SiloAccelerator.Gpu);
        var silos = service.Cluster.Silos.ToArray();
        silos.Select(s => s.Name).Should().Contain(CpuSilo);
        await Eventually.WaitUntilAsync(() => silos.All(s => View(s).Count == 3), Wait);
        View(silos[0]).Select(l => (l.Silo, l.Gpu)).Should().BeEquivalentTo(silos.Select(s => (s.SiloAddress, s.Name != CpuSilo)));

        // Long jobs (cancelled at the end), each submitted once every silo has seen the load so far.
        var client = service.NewClient();
        var jobs = new string[4];
        for (var i = 0; i < jobs.Length; i++)
        {
            jobs[i] = await client.SubmitAsync(TestAssets.Request(size: 32, iterations: 1_000_000, seed: i));
            var expected = i + 1;
            await Eventually.WaitUntilAsync(() => silos.All(s => View(s).Sum(l => l.Running + l.Waiting) == expected), Wait);
        }

        var states = await Task.WhenAll(jobs.Select(id => client.GetStatusAsync(id)));
        Measurements.Report(output, "placement: " + string.Join(", ", states.Select(s => $"{s.Status} on {s.Silo ?? "(queued)"}")));
        states.Take(2).Select(s => s.Silo).Should().BeEquivalentTo(silos.Where(s => s.Name != CpuSilo).Select(s => s.Name), "the first two jobs take the GPU silos' slots");
        states[2].Silo.Should().Be(CpuSilo, "with the GPU slots taken, the CPU silo's free slot takes the third");
        states[3].Status.Should().Be(JobStatus.Queued, "every slot is taken");
        Slots(silos.Single(s => s.Name == CpuSilo)).Waiting.Should().Be(0, "the fourth job queues on a GPU silo, not the CPU silo");
        silos.Sum(s => Slots(s).Waiting).Should().Be(1);
        service.AllSlots.Should().OnlyContain(s => s.Peak <= s.Capacity);

        await Task.WhenAll(jobs.Select(id => client.CancelAsync(id)));
        // The queued fourth job's slot frees up while its own cancellation is written: it must not start (CancellationTests).
        var cancelled = await Task.WhenAll(jobs.Select(id => ServiceCluster.WaitFinishedAsync(client, id, Wait)));
        cancelled.Should().OnlyContain(s => s.Status == JobStatus.Cancelled);
        await Eventually.WaitUntilAsync(() => silos.All(s => View(s).Sum(l => l.Running + l.Waiting) == 0), Wait);
    }

    private static System.Collections.Generic.IReadOnlyList<SiloLoad> View(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<ClusterLoad>().Loads;

    private static JobSlots Slots(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<JobSlots>();
}
