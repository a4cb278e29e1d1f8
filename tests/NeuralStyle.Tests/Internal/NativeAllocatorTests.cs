using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
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

    [Fact]
    public void A_run_thread_s_heaps_stay_mapped_so_the_next_iteration_s_blocks_need_no_page_faults()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("glibc's allocator is tuned on Linux only.");
        }

        using (var scope = NewDisposeScope())
        {
            using var loss = new NeuralStyle.Losses.TotalVariationLoss(1);
            new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { DecayStartFraction = 1 }).Optimize(rand(1, 3, 40, 40), [loss], 1).Dispose();
        }

        if (!NativeAllocator.IsTuned)
        {
            return;
        }

        // A run's thread of its own gets one of glibc's per-thread arenas, made of 64 MiB heaps. Six 20 MiB blocks (a
        // 682×512 iteration's feature maps are of this order) fill more than one heap; all are freed, as at an
        // iteration's end, and made again, as by the next iteration. Allocated with malloc, as libtorch does.
        const int BlockBytes = 20 << 20;
        const long PagesPerBlock = BlockBytes / 4096;
        var content = new byte[BlockBytes];
        Array.Fill(content, (byte)1);
        var faults = new long[2];
        var thread = new Thread(() =>
        {
            var blocks = new IntPtr[6];
            for (var round = 0; round < faults.Length; round++)
            {
                var before = MinorPageFaults();
                for (var i = 0; i < blocks.Length; i++)
                {
                    blocks[i] = Marshal.AllocHGlobal(BlockBytes);
                    Marshal.Copy(content, 0, blocks[i], BlockBytes);
                }

                foreach (var block in blocks)
                {
                    Marshal.FreeHGlobal(block);
                }

                faults[round] = MinorPageFaults() - before;
            }
        });
        thread.Start();
        thread.Join();

        ControlsKit.Log($"page faults: {faults[0]} in the first round, {faults[1]} in the second ({PagesPerBlock} pages a block)");
        faults[1].Should().BeLessThan(PagesPerBlock / 2, "the second round reuses the first round's memory, still mapped");
    }

    [Theory]
    [InlineData(256, 192, false)]
    [InlineData(512, 256, true)]
    public void Collections_between_iterations_are_every_iteration_for_large_images_and_every_eighth_for_small_ones(int width, int height, bool everyIteration)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("glibc's allocator is tuned on Linux only.");
        }

        const int Iterations = 17;
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { DecayStartFraction = 1 });
        using var loss = new NeuralStyle.Losses.TotalVariationLoss(1);
        using var scope = NewDisposeScope();
        optimizer.Optimize(rand(1, 3, 8, 8), [loss], 1).Dispose();
        if (!NativeAllocator.IsTuned)
        {
            return;
        }

        var before = GC.CollectionCount(1);
        optimizer.Optimize(rand(1, 3, height, width), [loss], Iterations).Dispose();
        var collections = GC.CollectionCount(1) - before;

        // Before iterations 1 to 16 when large; before 8 and 16 when small (the runtime may add a collection of its own).
        if (everyIteration)
        {
            collections.Should().BeGreaterThanOrEqualTo(Iterations - 1, $"{width}×{height} is at least {NativeAllocator.CollectEveryIterationFromPixels} pixels");
        }
        else
        {
            collections.Should().BeInRange(2, 5, $"{width}×{height} is under {NativeAllocator.CollectEveryIterationFromPixels} pixels");
        }
    }

    /// <summary>The process's minor page faults so far (the tenth field of /proc/self/stat).</summary>
    private static long MinorPageFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
