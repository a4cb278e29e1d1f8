using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Jobs;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>Which previews a job publishes (<see cref="NeuralStyleServiceOptions.PreviewInterval"/> and <see cref="NeuralStyleServiceOptions.PreviewMinimumInterval"/>, timed by a clock the test moves) and in what form.</summary>
public sealed class PreviewTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_throttle_admits_the_first_preview_then_one_per_interval_and_never_the_last_iteration()
    {
        var clock = new ManualClock();
        var throttle = new PreviewThrottle(clock, Second, lastIteration: 100);
        var admitted = new List<int>();
        for (var iteration = 10; iteration <= 100; iteration += 10)
        {
            if (throttle.Admit(iteration))
            {
                admitted.Add(iteration);
            }

            clock.Advance(TimeSpan.FromMilliseconds(300));
        }

        // Offered at 0, 0.3, 0.6, … s: admitted at 0, 1.2, 2.4 s; iteration 100 is the result's.
        admitted.Should().Equal(10, 50, 90);
    }

    [Fact]
    public void A_zero_interval_admits_every_offered_preview_but_the_last()
    {
        var throttle = new PreviewThrottle(new ManualClock(), TimeSpan.Zero, lastIteration: 5);
        Enumerable.Range(1, 5).Where(throttle.Admit).Should().Equal(1, 2, 3, 4);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3601)]
    public void An_interval_out_of_range_is_refused_naming_the_option(int seconds)
    {
        new Action(() => new NeuralStyleServiceOptions { PreviewMinimumInterval = TimeSpan.FromSeconds(seconds) }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("NeuralStyleServiceOptions.PreviewMinimumInterval must be between zero and 1 hour.");
    }

    [Fact]
    public async Task A_run_and_its_resumption_publish_previews_by_the_clock()
    {
        var service = new NeuralStyleServiceOptions
        {
            Device = "cpu",
            WeightsPath = TestAssets.Weights,
            PreviewInterval = 1,
            PreviewMinimumInterval = Second,
            CheckpointInterval = 6,
        };
        var inputs = new JobInputs { Owner = "owner", Request = TestAssets.Request(size: 32, iterations: 12) };

        var (whole, checkpoint) = await RunAsync(inputs, null, service);
        var (resumed, _) = await RunAsync(inputs, JobExecution.ReadCheckpoint(checkpoint!, service), service);

        // Updates every iteration, the clock 0.4 s on after each: a preview at the first, then once 1 s has gone by; none at 12 (the result).
        whole.Should().Equal(1, 4, 7, 10);
        resumed.Should().Equal(7, 10);
    }

    [Fact]
    public async Task Watchers_get_JPEG_previews_while_the_job_runs_and_the_PNG_result_at_the_end()
    {
        await using var service = await ServiceCluster.StartAsync(1, o => o.PreviewMinimumInterval = TimeSpan.Zero);
        var client = service.NewClient();
        var id = await client.SubmitAsync(TestAssets.Request(size: 32, iterations: 60));
        var snapshots = new List<JobSnapshot>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await foreach (var snapshot in client.WatchAsync(id, cts.Token))
        {
            snapshots.Add(snapshot);
        }

        var running = snapshots.Where(s => s.Status == JobStatus.Running && s.Preview is not null).ToList();
        running.Should().NotBeEmpty("a preview is offered every 5 iterations of 60");
        running.Should().OnlyContain(s => s.PreviewMediaType == "image/jpeg" && s.Preview!.Take(2).SequenceEqual(new byte[] { 0xFF, 0xD8 }));
        using (var preview = SKBitmap.Decode(running[^1].Preview))
        {
            Math.Min(preview.Width, preview.Height).Should().Be(32);
        }

        var last = snapshots[^1];
        last.Status.Should().Be(JobStatus.Succeeded);
        last.PreviewMediaType.Should().Be("image/png");
        last.Preview.Should().Equal(await client.GetResultAsync(id));
        (await client.GetStatusAsync(id)).PreviewMediaType.Should().BeNull("a snapshot without its preview names no type");
    }

    /// <summary>Runs a job with a clock that moves 0.4 s after each update; returns the iterations that carried a preview and the last checkpoint.</summary>
    private static async Task<(List<int> Previews, byte[]? Checkpoint)> RunAsync(JobInputs inputs, OptimizerCheckpoint? from, NeuralStyleServiceOptions service)
    {
        var clock = new ManualClock();
        var previews = new List<int>();
        byte[]? checkpoint = null;
        await JobExecution.RunAsync(inputs, from, service, clock, update =>
        {
            if (update.Preview is { } bitmap)
            {
                using (bitmap)
                {
                    Math.Min(bitmap.Width, bitmap.Height).Should().Be(32);
                }

                previews.Add(update.Iteration);
            }

            checkpoint = update.Checkpoint ?? checkpoint;
            clock.Advance(TimeSpan.FromMilliseconds(400));
        }, TestContext.Current.CancellationToken);
        return (previews, checkpoint);
    }
}
