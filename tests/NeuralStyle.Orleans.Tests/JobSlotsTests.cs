using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

public sealed class JobSlotsTests
{
    [Fact]
    public async Task Waiting_jobs_are_served_in_turn_across_clients_within_capacity()
    {
        using var slots = new JobSlots(Options.Create(new NeuralStyleServiceOptions { Capacity = 1 }));
        var first = await slots.AcquireAsync("a", CancellationToken.None);
        var order = new List<string>();
        var waits = new[] { ("a", 1), ("a", 2), ("a", 3), ("b", 1), ("c", 1) }
            .Select(w => Serve(slots, w.Item1 + w.Item2, w.Item1, order))
            .ToArray();
        slots.Waiting.Should().Be(5);
        first.Dispose();
        await Task.WhenAll(waits);
        order.Should().Equal("a1", "b1", "c1", "a2", "a3");
        slots.Peak.Should().Be(1);
        slots.Running.Should().Be(0);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_line()
    {
        using var slots = new JobSlots(Options.Create(new NeuralStyleServiceOptions { Capacity = 1 }));
        var first = await slots.AcquireAsync("a", CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = slots.AcquireAsync("b", cts.Token);
        var next = slots.AcquireAsync("c", CancellationToken.None);
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => cancelled).Should().ThrowAsync<TaskCanceledException>();
        first.Dispose();
        (await next).Dispose();
        slots.Running.Should().Be(0);
    }

    [Fact]
    public void A_resumed_run_does_the_remaining_iterations_from_the_checkpoint_at_the_decayed_rate()
    {
        using var image = new SKBitmap(8, 8);
        var options = StyleTransferPresets.CompositionVii with { Iterations = 80 };
        var resumed = JobExecution.Resumed(options, 30, image);
        resumed.Iterations.Should().Be(50);
        resumed.Initialization.Should().Be(Initialization.Image);
        resumed.InitialImage.Should().BeSameAs(image);
        resumed.Optimizer.LearningRate.Should().Be(options.Optimizer.DecayedLearningRate);
        Enumerable.Range(0, 50).Select(t => resumed.Optimizer.LearningRateAt(t, resumed.Iterations)).Should().OnlyContain(rate => rate == options.Optimizer.DecayedLearningRate, "no second decay");
    }

    private static async Task Serve(JobSlots slots, string name, string owner, List<string> order)
    {
        using var lease = await slots.AcquireAsync(owner, CancellationToken.None);
        lock (order)
        {
            order.Add(name);
        }

        await Task.Yield();
    }
}
