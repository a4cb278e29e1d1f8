using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

/// <summary>
/// Live tensors (<see cref="Tensor.TotalCount"/>, process-wide) stay flat over many complete, cancelled and failed runs,
/// and cancellation stops a run within one step (counted in loss evaluations, not timed). In <see cref="SoloTests"/>, so no other test creates tensors meanwhile.
/// </summary>
[Collection(nameof(SoloTests))]
public sealed class ResourceTests
{
    [Fact]
    public async Task Live_tensor_count_is_flat_across_100_consecutive_runs()
    {
        using var content = Content(36, 28);
        using var style = Style(30, 30);
        using var scope = NewDisposeScope();
        var contentTensor = ImageTensor.ToRgb01(ImageTensor.FromBitmap(content)).DetachFromDisposeScope();
        var styleTensor = ImageTensor.ToRgb01(ImageTensor.FromBitmap(style)).DetachFromDisposeScope();
        try
        {
            // Bitmaps and tensors, Adam and L-BFGS, progress with previews: everything a run can allocate.
            async Task RunAsync(int i)
            {
                var options = TinySingleThreaded with
                {
                    Initialization = i % 3 == 0 ? Initialization.Noise : Initialization.Content,
                    Optimizer = TinySingleThreaded.Optimizer with { Kind = i % 4 == 3 ? OptimizerKind.Lbfgs : OptimizerKind.Adam, ProgressInterval = 1, PreviewInterval = i % 5 == 0 ? 1 : 0 },
                };
                var log = new ProgressLog { OnReport = r => r.Preview?.Dispose() };
                if (i % 2 == 0)
                {
                    using var result = await StyleTransfer.RunAsync(content, style, options, log, Ct);
                }
                else
                {
                    using var result = await StyleTransfer.RunAsync(contentTensor, styleTensor, options, log, Ct);
                }
            }

            await RunAsync(0); // warm-up: lazily created state (weight and extractor caches, libtorch) is not a leak
            var residue = ParameterResidue();
            var before = SettledTensorCount();
            var counts = new long[100];
            var stopwatch = Stopwatch.StartNew();
            for (var i = 0; i < counts.Length; i++)
            {
                await RunAsync(i);
                counts[i] = Tensor.TotalCount - ((i + 1) * residue);
            }

            stopwatch.Stop();
            Log($"100 runs in {stopwatch.Elapsed.TotalSeconds:F1} s ({stopwatch.Elapsed.TotalMilliseconds / 100:F0} ms each); live tensors {before} before; after each run, less {residue} per run: {string.Join(",", counts.Distinct())}");
            counts.Should().OnlyContain(c => c == before, "every run frees what it allocates");
        }
        finally
        {
            contentTensor.Dispose();
            styleTensor.Dispose();
        }
    }

    [Fact]
    public async Task Live_tensor_count_is_flat_across_cancelled_and_failed_runs()
    {
        using var content = Content();
        using var style = Style();
        using var warm = await StyleTransfer.RunAsync(content, style, TinySingleThreaded, cancellationToken: Ct);
        var residue = ParameterResidue();
        var before = SettledTensorCount();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < 30; i++)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            using var probe = new ProbeLoss { NanFromCall = i % 5 == 3 ? 2 : int.MaxValue };
            var cancelAt = 1 + (i % 3);
            var log = new ProgressLog
            {
                OnReport = r =>
                {
                    if (i % 5 == 4 && r.Iteration == cancelAt)
                    {
                        throw new InvalidOperationException("progress handler failed");
                    }

                    if (r.Iteration == cancelAt)
                    {
                        cts.Cancel();
                    }
                },
            };
            var options = TinySingleThreaded with
            {
                Iterations = 50, AdditionalLosses = [probe],
                Optimizer = TinySingleThreaded.Optimizer with { ProgressInterval = 1, Kind = i % 2 == 0 ? OptimizerKind.Adam : OptimizerKind.Lbfgs },
            };
            try
            {
                using var result = await StyleTransfer.RunAsync(content, style, options, log, cts.Token);
                outcomes["finished"] = outcomes.GetValueOrDefault("finished") + 1;
            }
            catch (Exception ex) when (ex is OperationCanceledException or NumericalInstabilityException or InvalidOperationException)
            {
                outcomes[ex.GetType().Name] = outcomes.GetValueOrDefault(ex.GetType().Name) + 1;
            }

            // A run cancelled before the optimiser starts creates no pixel parameter and so leaves no residue.
            (Tensor.TotalCount - before).Should().BeInRange(0, residue, $"run {i} ended with {string.Join(", ", outcomes)}");
            before = Tensor.TotalCount;
        }

        Log("outcomes: " + string.Join(", ", outcomes.Select(o => $"{o.Key} ×{o.Value}")));
        outcomes.Keys.Should().BeEquivalentTo(nameof(OperationCanceledException), nameof(NumericalInstabilityException), nameof(InvalidOperationException));
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Lbfgs)]
    public async Task Cancelling_from_the_progress_callback_runs_no_further_step(OptimizerKind optimizer)
    {
        using var content = Content();
        using var style = Style();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var probe = new ProbeLoss();
        var callsAtCancel = -1;
        var log = new ProgressLog
        {
            OnReport = r =>
            {
                if (r.Iteration == 4)
                {
                    callsAtCancel = probe.Calls;
                    cts.Cancel();
                }
            },
        };
        var options = TinySingleThreaded with { Iterations = 1000, AdditionalLosses = [probe], Optimizer = TinySingleThreaded.Optimizer with { Kind = optimizer, ProgressInterval = 1 } };

        var act = () => StyleTransfer.RunAsync(content, style, options, log, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        log.Reports.Should().HaveCount(4);
        probe.Calls.Should().Be(callsAtCancel, "the loss was not evaluated again after the cancellation");
    }

    [Fact]
    public async Task Cancelling_from_another_thread_stops_within_one_step()
    {
        // A run big enough for steps to take a measurable time; the cancel lands at a random point within a step.
        using var content = Content(160, 128);
        using var style = Style(128, 128);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var stepStarted = new long[2000];
        using var probe = new ProbeLoss();
        using var threeSteps = new SemaphoreSlim(0);
        probe.OnCall = call =>
        {
            stepStarted[call] = Stopwatch.GetTimestamp();
            if (call == 3)
            {
                threeSteps.Release();
            }
        };
        var options = TinySingleThreaded with { ImageSize = 128, StyleSize = 128, Iterations = 1000, AdditionalLosses = [probe], Optimizer = TinySingleThreaded.Optimizer with { ProgressInterval = 1000 } };

        var run = StyleTransfer.RunAsync(content, style, options, cancellationToken: cts.Token);
        (await threeSteps.WaitAsync(TimeSpan.FromSeconds(60), Ct)).Should().BeTrue("three steps ran");
        await Task.Delay(Random.Shared.Next(1, 30), Ct);
        var callsAtCancel = probe.Calls;
        var cancelledAt = Stopwatch.GetTimestamp();
        await cts.CancelAsync();
        var act = async () => await run;
        await act.Should().ThrowAsync<OperationCanceledException>();
        var latency = Stopwatch.GetElapsedTime(cancelledAt);

        var callsAfter = probe.Calls;
        var step = TimeSpan.FromTicks((long)((stepStarted[3] - stepStarted[1]) / 2.0 * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        Log($"cancelled after {callsAtCancel} steps; {callsAfter - callsAtCancel} more started; latency {latency.TotalMilliseconds:F0} ms; one step ≈ {step.TotalMilliseconds:F0} ms");
        // Counted work proves "within one step"; the wall clock only has to catch a hang, so its bound is generous
        // (a shared 2-core machine can stall a step for seconds).
        callsAfter.Should().BeLessThanOrEqualTo(callsAtCancel + 1, "at most the step in progress (or one that had just begun) completes");
        latency.Should().BeLessThan(TimeSpan.FromSeconds(60), "a cancelled run ends instead of hanging");
    }

    /// <summary>
    /// TorchSharp 0.107's <c>new Parameter(tensor)</c> moves the handle out of <c>tensor</c> without decrementing
    /// <see cref="Tensor.TotalCount"/>, so every parameter created leaves one phantom count (no native memory). A run
    /// creates one parameter (the pixels being optimised); the network is cached. Measured here, so that a fixed
    /// TorchSharp makes the tests demand a perfectly flat count.
    /// </summary>
    internal static long ParameterResidue()
    {
        var before = SettledTensorCount();
        using (var parameter = new TorchSharp.Modules.Parameter(zeros(1)))
        {
        }

        return Tensor.TotalCount - before;
    }

    [Fact]
    public void Optimizer_cancelled_before_the_first_step_allocates_nothing_that_stays()
    {
        using var problem = new GoldenProblem();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var before = SettledTensorCount();

        var act = () => new StyleTransferOptimizer(Extractors.Cpu).Optimize(problem.Image, problem.Losses, 200, cancellationToken: cts.Token).Dispose();

        act.Should().Throw<OperationCanceledException>();
        Tensor.TotalCount.Should().Be(before);
    }
}
