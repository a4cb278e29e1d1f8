using System;
using System.Diagnostics;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Internal;

/// <summary>
/// The optimiser fixes glibc's allocator thresholds at its first run, so a long CPU run reuses its memory instead of growing
/// (docs/performance.md), unless <c>NEURALSTYLE_NATIVE_ALLOCATOR=system</c> says to leave the allocator alone.
/// </summary>
[Collection(nameof(TestSupport.SoloTests))] // alone, so that no other test's optimisation keeps the allocator busy
public sealed class NativeAllocatorTests
{
    [Fact]
    public void A_run_tunes_glibc_s_allocator_on_Linux_unless_told_not_to()
    {
        using (var scope = NewDisposeScope())
        {
            var image = rand(1, 3, 40, 40).sub(0.5);
            using var loss = new NeuralStyle.Losses.TotalVariationLoss(1);
            var optimizer = new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { DecayStartFraction = 1 });
            optimizer.Optimize(image, [loss], 2).Dispose();
        }

        var optedOut = string.Equals(Environment.GetEnvironmentVariable(NativeAllocator.EnvironmentVariable), "system", StringComparison.OrdinalIgnoreCase);
        NativeAllocator.IsTuned.Should().Be(OperatingSystem.IsLinux() && !optedOut);
    }

    [Fact]
    public void Free_memory_goes_back_once_no_optimisation_has_run_for_a_while_and_not_between_back_to_back_ones_of_one_size()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("glibc's allocator is tuned on Linux only.");
        }

        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { DecayStartFraction = 1 });
        using var loss = new NeuralStyle.Losses.TotalVariationLoss(1);
        using (NewDisposeScope())
        {
            optimizer.Optimize(rand(1, 3, 40, 40), [loss], 2).Dispose();
        }

        var before = NativeAllocator.Trims;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.Optimize(rand(1, 3, 40, 40), [loss], 2).Dispose();
        }

        if (clock.Elapsed < NativeAllocator.TrimDelay)
        {
            NativeAllocator.Trims.Should().Be(before, "optimisations that follow each other keep their heap");
        }

        if (!NativeAllocator.IsTuned)
        {
            return;
        }

        // A generous bound: it only has to catch a return that never happens.
        var deadline = Stopwatch.StartNew();
        while (NativeAllocator.Trims == before && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(50);
        }

        NativeAllocator.Trims.Should().BeGreaterThan(before);

        // A new size gives the old sizes' free blocks back at once.
        var beforeResize = NativeAllocator.Trims;
        using (NewDisposeScope())
        {
            optimizer.Optimize(rand(1, 3, 48, 40), [loss], 2).Dispose();
        }

        NativeAllocator.Trims.Should().BeGreaterThan(beforeResize);
    }
}
