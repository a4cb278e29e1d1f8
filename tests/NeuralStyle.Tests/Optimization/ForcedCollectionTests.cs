using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// Runs beside each other while garbage collections and finalizers run all the time give the bytes of the same runs alone.
/// A number that TorchSharp converts into a scalar left to its finalizer can be freed while a native call reads it (libtorch
/// then fails a <c>Scalar.toFloat</c> check, or computes with garbage): the collections that CPU runs force between their
/// iterations (Internal.NativeAllocator.ReleaseUnreachableObjects) and the collector thread here make that race frequent.
/// </summary>
public sealed class ForcedCollectionTests
{
    [Fact]
    public async Task Concurrent_runs_under_constant_collections_give_the_bytes_of_runs_alone()
    {
        using var content = Content(40, 32);
        using var style = Style(36, 36);
        var adam = Tiny with { Initialization = Initialization.Noise, Iterations = 12 };
        StyleTransferOptions[] configs =
        [
            adam with { Seed = 1 },
            adam with { Seed = 2, Optimizer = adam.Optimizer with { Kind = OptimizerKind.Lbfgs } },
            adam with { Seed = 3, PreserveColors = ColorPreservation.Luminance, Initialization = Initialization.Blend },
            adam with { Seed = 4, Optimizer = adam.Optimizer with { Kind = OptimizerKind.Lbfgs }, Initialization = Initialization.Style },
        ];

        async Task<byte[]> RunAsync(StyleTransferOptions options)
        {
            using var result = await StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);
            return result.Image.Bytes;
        }

        var alone = new byte[configs.Length][];
        for (var i = 0; i < configs.Length; i++)
        {
            alone[i] = await RunAsync(configs[i]);
        }

        using var stop = new CancellationTokenSource();
        var collections = 0;
        var collector = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    collections++;
                }
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            for (var round = 0; round < 2; round++)
            {
                var together = await Task.WhenAll(configs.Select(c => Task.Run(() => RunAsync(c), Ct)));
                for (var i = 0; i < configs.Length; i++)
                {
                    together[i].Should().Equal(alone[i], $"run {i} gives the same bytes beside others under collections (round {round})");
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await collector;
        }

        collections.Should().BePositive();
        Log($"{collections} forced collections during the concurrent runs");
    }
}
