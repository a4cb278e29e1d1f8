using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

/// <summary>
/// Runs from many threads at once on the CPU give exactly the bytes of the same runs one after another, honour their own
/// thread counts, and leave no tensors behind. In <see cref="SoloTests"/>, so the timings and tensor counts are the runs' own.
/// </summary>
[Collection(nameof(SoloTests))]
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Eight_concurrent_runs_give_the_same_bytes_as_sequential_runs_and_keep_their_thread_counts()
    {
        using var content = Content(40, 32);
        using var style = Style(36, 36);
        // Different seeds (noise start) and thread counts, so a result mixed up between runs would show.
        var configs = Enumerable.Range(0, 8)
            .Select(i => Tiny with { Initialization = Initialization.Noise, Seed = i, Iterations = 3, Optimizer = Tiny.Optimizer with { ProgressInterval = 1 }, Runtime = Tiny.Runtime with { Threads = i % 2 == 0 ? 1 : 2 } })
            .ToArray();
        var threadCounts = new ConcurrentBag<(int Run, int Threads)>();

        async Task<byte[]> RunAsync(int i)
        {
            var log = new ProgressLog { OnReport = _ => threadCounts.Add((i, get_num_threads())) };
            using var result = await StyleTransfer.RunAsync(content, style, configs[i], log, Ct);
            return result.Image.Bytes;
        }

        using (var warm = await StyleTransfer.RunAsync(content, style, configs[0], cancellationToken: Ct))
        {
        }

        var residue = ResourceTests.ParameterResidue();
        var before = SettledTensorCount();
        var stopwatch = Stopwatch.StartNew();
        var sequential = new byte[configs.Length][];
        for (var i = 0; i < configs.Length; i++)
        {
            sequential[i] = await RunAsync(i);
        }

        var sequentialTime = stopwatch.Elapsed;
        stopwatch.Restart();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, configs.Length).Select(i => Task.Run(() => RunAsync(i), Ct)));
        var concurrentTime = stopwatch.Elapsed;

        Log($"8 runs: sequential {sequentialTime.TotalMilliseconds:F0} ms, concurrent {concurrentTime.TotalMilliseconds:F0} ms; live tensors {before} → {Tensor.TotalCount} (residue {residue} per run)");
        for (var i = 0; i < configs.Length; i++)
        {
            concurrent[i].Should().Equal(sequential[i], $"run {i} (seed {i}, {configs[i].Runtime.Threads} threads) gives the same bytes alone and beside others");
        }

        sequential.Select(Convert.ToHexString).Distinct().Should().HaveCount(8, "the runs really differ");
        threadCounts.Should().OnlyContain(t => t.Threads == configs[t.Run].Runtime.Threads, "each run computes with the thread count it asked for");
        Tensor.TotalCount.Should().Be(before + (16 * residue));
    }

    [Fact]
    public async Task A_runs_thread_count_survives_another_run_changing_libtorchs_default()
    {
        var original = await OnOwnThread(get_num_threads);
        try
        {
            // Plain libtorch: thread A sets 1, thread B then sets 2, and A's first parallel operation re-reads the
            // process-wide value, so A computes with 2.
            var plain = await Interleave(() => set_num_threads(1));
            // The library first completes A's lazy initialisation, so A keeps its 1.
            var guarded = await Interleave(() => NeuralStyle.Internal.ThreadSettings.Apply(1));

            Log($"libtorch alone: thread A ends with {plain} threads; with ThreadSettings.Apply: {guarded}");
            plain.Should().Be(2, "this is the libtorch behaviour the library guards against");
            guarded.Should().Be(1);
        }
        finally
        {
            await OnOwnThread(() =>
            {
                set_num_threads(original);
                return 0;
            });
        }

        static async Task<int> Interleave(Action setOnA)
        {
            using var aHasSet = new System.Threading.SemaphoreSlim(0);
            using var bHasSet = new System.Threading.SemaphoreSlim(0);
            var a = OnOwnThread(() =>
            {
                setOnA();
                aHasSet.Release();
                bHasSet.Wait(TimeSpan.FromSeconds(30));
                using var sum = ones(1 << 20).sum(); // large enough to run in parallel
                return get_num_threads();
            });
            var b = OnOwnThread(() =>
            {
                aHasSet.Wait(TimeSpan.FromSeconds(30));
                set_num_threads(2);
                bHasSet.Release();
                return 0;
            });
            await b;
            return await a;
        }
    }

    [Fact]
    public async Task Concurrent_first_use_of_a_weight_file_parses_it_once()
    {
        using var folder = new Weights.TempFolder();
        var copy = folder.File("copy.safetensors");
        File.Copy(SharedAssets.SafeTensorsWeights, copy);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => WeightCache.Get(copy), Ct)));

        results.Should().OnlyContain(r => ReferenceEquals(r, results[0]));
    }

    [Fact]
    public async Task A_failed_parse_is_not_remembered()
    {
        using var folder = new Weights.TempFolder();
        var path = folder.File("late.safetensors");
        await File.WriteAllBytesAsync(path, [1, 2, 3], Ct);
        FluentActions.Invoking(() => WeightCache.Get(path)).Should().Throw<Exception>();

        File.Copy(SharedAssets.SafeTensorsWeights, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        WeightCache.Get(path).Should().ContainKey("features.0.weight");
    }

    private static Task<T> OnOwnThread<T>(Func<T> work)
        => Task.Factory.StartNew(work, Ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
