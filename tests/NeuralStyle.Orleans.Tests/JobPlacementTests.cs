using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using FluentAssertions;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Placement;
using Orleans.Runtime;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>The placement choice by accelerator and free capacity, on loads given by hand (no cluster).</summary>
public sealed class JobPlacementTests
{
    private static readonly SiloAddress GpuA = Address(1), GpuB = Address(2), Cpu = Address(3), Unreported = Address(4);

    [Fact]
    public void GpuFirst_takes_a_free_GPU_slot_before_a_free_CPU_slot_and_the_least_loaded_GPU_among_them()
    {
        var loads = Loads(Gpu(GpuA, capacity: 2, running: 1), Gpu(GpuB, capacity: 1, running: 0), CpuSilo(Cpu, running: 0));
        Choose(loads, JobPlacementPolicy.GpuFirst).Should().Be(GpuB);
    }

    [Fact]
    public void GpuFirst_gives_a_job_to_a_free_CPU_silo_when_every_GPU_slot_is_taken()
    {
        var loads = Loads(Gpu(GpuA, running: 1), Gpu(GpuB, running: 1), CpuSilo(Cpu, running: 0));
        Choose(loads, JobPlacementPolicy.GpuFirst).Should().Be(Cpu);
    }

    [Fact]
    public void GpuFirst_queues_on_the_least_loaded_GPU_when_every_slot_is_taken()
    {
        var loads = Loads(Gpu(GpuA, running: 1, waiting: 2), Gpu(GpuB, running: 1, waiting: 1), CpuSilo(Cpu, running: 1));
        Choose(loads, JobPlacementPolicy.GpuFirst).Should().Be(GpuB);
    }

    [Fact]
    public void GpuOnly_queues_on_a_GPU_rather_than_use_a_free_CPU_silo()
    {
        var loads = Loads(Gpu(GpuA, running: 1, waiting: 1), Gpu(GpuB, running: 1), CpuSilo(Cpu, running: 0));
        Choose(loads, JobPlacementPolicy.GpuOnly).Should().Be(GpuB);
    }

    [Theory]
    [InlineData(JobPlacementPolicy.GpuFirst)]
    [InlineData(JobPlacementPolicy.GpuOnly)]
    [InlineData(JobPlacementPolicy.LeastLoaded)]
    public void Without_a_GPU_silo_the_least_loaded_CPU_silo_takes_the_job(JobPlacementPolicy policy)
    {
        var other = Address(5);
        var loads = Loads(CpuSilo(Cpu, running: 1, waiting: 1), CpuSilo(other, running: 1));
        Choose(loads, policy).Should().Be(other);
    }

    [Fact]
    public void LeastLoaded_ignores_the_accelerator()
    {
        var loads = Loads(Gpu(GpuA, capacity: 2, running: 1), CpuSilo(Cpu, running: 0));
        Choose(loads, JobPlacementPolicy.LeastLoaded).Should().Be(Cpu);
    }

    [Fact]
    public void A_silo_that_has_not_reported_is_chosen_only_when_none_has()
    {
        var loads = Loads(CpuSilo(Cpu, running: 1, waiting: 5));
        Choose(loads, JobPlacementPolicy.GpuFirst, [Unreported, Cpu]).Should().Be(Cpu);
        Choose(Loads(), JobPlacementPolicy.GpuFirst, [Unreported]).Should().Be(Unreported);
        var act = () => Choose(Loads(), JobPlacementPolicy.GpuFirst, []);
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Equally_loaded_silos_share_the_jobs()
    {
        var loads = Loads(Gpu(GpuA, running: 0), Gpu(GpuB, running: 0));
        var random = new Random(7);
        var chosen = Enumerable.Range(0, 40).Select(_ => JobPlacementChoice.Choose([GpuA, GpuB], loads.GetValueOrDefault, JobPlacementPolicy.GpuFirst, random)).ToArray();
        chosen.Should().Contain(GpuA).And.Contain(GpuB);
    }

    [Fact]
    public void A_burst_placed_before_the_next_report_fills_the_GPUs_then_the_CPU_then_queues_on_the_GPUs()
    {
        var cluster = new ClusterLoad(Options.Create(new NeuralStyleServiceOptions()));
        cluster.Update([Gpu(GpuA, running: 0), Gpu(GpuB, running: 0), CpuSilo(Cpu, running: 0)]);
        var placed = Enumerable.Range(0, 6).Select(_ => cluster.Place([GpuA, GpuB, Cpu])).ToArray();

        placed.Take(2).Should().BeEquivalentTo([GpuA, GpuB], "the first two jobs take the free GPU slots");
        placed[2].Should().Be(Cpu, "the third takes the free CPU slot");
        placed.Skip(3).Should().NotContain(Cpu, "the rest queue on the GPUs");
        placed.Skip(3).Count(s => s == GpuA).Should().BeInRange(1, 2, "the queues are kept even");
        cluster.Loads.Sum(l => l.Running + l.Waiting).Should().Be(6);
    }

    [Theory]
    [InlineData(SiloAccelerator.Gpu, "cpu", true)]
    [InlineData(SiloAccelerator.Cpu, "cuda", false)]
    [InlineData(SiloAccelerator.Auto, "cpu", false)]
    public void A_silo_is_a_GPU_silo_as_configured_or_by_its_device(SiloAccelerator accelerator, string device, bool gpu)
        => SiloLoadReporter.IsGpu(new NeuralStyleServiceOptions { Accelerator = accelerator, Device = device }).Should().Be(gpu);

    [Fact]
    public void Placement_settings_out_of_range_are_refused_by_name()
    {
        new Action(() => new NeuralStyleServiceOptions { Placement = (JobPlacementPolicy)9 }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("NeuralStyleServiceOptions.Placement must be*");
        new Action(() => new NeuralStyleServiceOptions { Accelerator = (SiloAccelerator)9 }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("NeuralStyleServiceOptions.Accelerator must be*");
        new Action(() => new NeuralStyleServiceOptions { LoadReportInterval = TimeSpan.Zero }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("NeuralStyleServiceOptions.LoadReportInterval must be positive.");
    }

    private static SiloAddress Choose(Dictionary<SiloAddress, SiloLoad> loads, JobPlacementPolicy policy, SiloAddress[]? candidates = null)
        => JobPlacementChoice.Choose(candidates ?? [.. loads.Keys], loads.GetValueOrDefault, policy, new Random(1));

    private static Dictionary<SiloAddress, SiloLoad> Loads(params SiloLoad[] loads) => loads.ToDictionary(l => l.Silo);

    private static SiloLoad Gpu(SiloAddress silo, int capacity = 1, int running = 0, int waiting = 0)
        => new() { Silo = silo, Gpu = true, Capacity = capacity, Running = running, Waiting = waiting };

    private static SiloLoad CpuSilo(SiloAddress silo, int capacity = 1, int running = 0, int waiting = 0)
        => new() { Silo = silo, Gpu = false, Capacity = capacity, Running = running, Waiting = waiting };

    private static SiloAddress Address(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11000 + port), 1);
}
