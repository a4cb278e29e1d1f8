using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Pipeline.Progress;
using NeuralStyle.Pipeline.Stages;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Pipeline.Progress;

public sealed class RunProgressTests
{
    private static readonly LossValues Losses = new(new Dictionary<string, double> { ["style"] = 1 });

    [Fact]
    public void The_estimate_counts_later_stages_by_their_pixels_from_the_first_report()
    {
        // Three stages of 10 iterations at 64², 128² and 256² (the last in four 128 px tiles); an iteration costs in
        // proportion to its pixels plus a fixed part, as the estimate assumes. Weights and targets take 5 s before.
        (PlannedStage, int)[] stages =
        [
            (new PlannedStage(new ScaleStage(64, 64, 10, 1), null, 64), 1),
            (new PlannedStage(new ScaleStage(128, 128, 10, 2), null, 128), 1),
            (new PlannedStage(new ScaleStage(256, 256, 10, 4), 128, 256), 4),
        ];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now);
        double Cost(int side) => 1e-6 * ((side * side) + (64 * 64));
        var total = (10 * Cost(64)) + (10 * Cost(128)) + (40 * Cost(128));
        var spent = 0.0;

        progress.Phase(StyleTransferPhase.ComputingTargets);
        for (var k = 0; k < stages.Length; k++)
        {
            var sink = progress.ForStage(k)!;
            var side = k == 0 ? 64 : 128;
            var iterations = stages[k].Item2 * 10;
            var stageStart = now;
            for (var i = 1; i <= iterations; i++)
            {
                now += TimeSpan.FromSeconds(Cost(side));
                spent += Cost(side);
                sink.Report(new StyleTransferProgress(i, iterations, Losses, 1, now - stageStart));
            }
        }

        var reports = log.Reports;
        reports.Should().HaveCount(60);
        reports.Select(r => r.Iteration).Should().Equal(Enumerable.Range(1, 60));
        reports.Should().OnlyContain(r => r.TotalIterations == 60 && r.StageCount == 3);
        var remaining = total;
        foreach (var report in reports)
        {
            remaining = total - (report.Elapsed - TimeSpan.FromSeconds(5)).TotalSeconds;
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(remaining, 1e-6 + (0.01 * total), $"at iteration {report.Iteration}");
        }

        log.All[0].Phase.Should().Be(StyleTransferPhase.ComputingTargets);
        log.All[0].EstimatedRemaining.Should().BeNull("nothing was timed yet");
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(12.0)]
    public void A_slow_first_iteration_is_left_out_so_every_estimate_from_the_first_is_within_20_percent(double warmUpSeconds)
    {
        // 200 iterations at 256², reported every 10 as the tool does; the first iteration takes warmUpSeconds (first
        // allocations, libtorch's one-off set-up), every later one a second. The optimiser says when the first one is done.
        (PlannedStage, int)[] stages = [(new PlannedStage(new ScaleStage(256, 256, 200, 1), null, 256), 1)];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now);
        var sink = progress.ForStage(0)!;
        var stageStart = now;
        for (var i = 1; i <= 200; i++)
        {
            now += TimeSpan.FromSeconds(i == 1 ? warmUpSeconds : 1);
            if (i == 1)
            {
                ((IFirstIterationTiming)sink).FirstIterationDone(now - stageStart);
            }

            if (i % 10 == 0)
            {
                sink.Report(new StyleTransferProgress(i, 200, Losses, 1, now - stageStart));
            }
        }

        var end = now;
        log.Reports.Should().HaveCount(20);
        foreach (var report in log.Reports.Where(r => r.Iteration < 200))
        {
            var actual = (end - report.Elapsed).TotalSeconds;
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(actual, 0.2 * actual, $"at iteration {report.Iteration}");
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(actual, 1e-6, "a steady rate after the first iteration is measured exactly");
        }
    }

    [Fact]
    public void Without_the_first_iterations_time_the_estimate_counts_from_the_optimisations_start()
    {
        // The same run without the signal (a sink that is not the pipeline's): the warm-up is spread over the first report.
        (PlannedStage, int)[] stages = [(new PlannedStage(new ScaleStage(256, 256, 200, 1), null, 256), 1)];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now);
        now += TimeSpan.FromSeconds(12 + 9);
        progress.ForStage(0)!.Report(new StyleTransferProgress(10, 200, Losses, 1, TimeSpan.FromSeconds(21)));

        log.Reports.Single().EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(21.0 / 10 * 190, 1e-6);
    }

    [Fact]
    public void A_run_reports_each_phase_as_it_starts()
    {
        var log = new ProgressLog();
        var progress = new RunProgress(log, [(new PlannedStage(new ScaleStage(32, 32, 4, 1), null, 32), 1)], () => TimeSpan.Zero);
        progress.Phase(StyleTransferPhase.LoadingWeights);
        progress.Phase(StyleTransferPhase.PreparingInputs);
        progress.Phase(StyleTransferPhase.ComputingTargets);
        progress.ForStage(0)!.Report(new StyleTransferProgress(4, 4, Losses, 1, TimeSpan.Zero));
        progress.Phase(StyleTransferPhase.Finishing);

        log.All.Select(r => r.Phase).Should().Equal(
            StyleTransferPhase.LoadingWeights, StyleTransferPhase.PreparingInputs, StyleTransferPhase.ComputingTargets, StyleTransferPhase.Optimizing, StyleTransferPhase.Finishing);
        log.All[^1].Iteration.Should().Be(4);
        log.All[^1].EstimatedRemaining.Should().Be(TimeSpan.Zero);
    }
}
