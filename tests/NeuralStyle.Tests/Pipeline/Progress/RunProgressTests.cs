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
