using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
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
    public void Every_estimate_from_the_second_iteration_is_exact_when_each_stage_costs_in_proportion_to_its_pixels()
    {
        // Three stages of 30 iterations at 64², 128² and 256² (the last in four 128 px tiles). Each stage's targets take 6
        // iterations' time and its first iteration 5 (the warm-up); every other iteration costs in proportion to its pixels.
        (PlannedStage, int)[] stages =
        [
            (new PlannedStage(new ScaleStage(64, 64, 30, 1), null, 64), 1),
            (new PlannedStage(new ScaleStage(128, 128, 30, 2), null, 128), 1),
            (new PlannedStage(new ScaleStage(256, 256, 30, 4), 128, 256), 4),
        ];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.None);
        static TimeSpan Cost(int side) => TimeSpan.FromSeconds(1e-6 * side * side);

        for (var k = 0; k < stages.Length; k++)
        {
            var side = k == 0 ? 64 : 128;
            progress.Phase(StyleTransferPhase.ComputingTargets, k);
            now += 6 * Cost(side);
            var sink = progress.ForStage(k)!;
            var iterations = stages[k].Item2 * 30;
            var stageStart = now;
            for (var i = 1; i <= iterations; i++)
            {
                now += (i == 1 ? 5 : 1) * Cost(side);
                if (i == 1)
                {
                    ((IFirstIterationTiming)sink).FirstIterationDone(now - stageStart);
                }

                sink.Report(new StyleTransferProgress(i, iterations, Losses, 1, now - stageStart));
            }
        }

        var end = now;
        log.Reports.Select(r => r.Iteration).Should().Equal(Enumerable.Range(1, 180));
        log.Reports.Should().OnlyContain(r => r.TotalIterations == 180 && r.StageCount == 3);
        log.Reports[0].EstimatedRemaining.Should().BeNull("one iteration is no speed yet");
        foreach (var report in log.All.Where(r => r.EstimatedRemaining is not null))
        {
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately((end - report.Elapsed).TotalSeconds, 1e-6, $"at iteration {report.Iteration} ({report.Phase})");
        }

        log.All.Count(r => r.Phase == StyleTransferPhase.ComputingTargets && r.EstimatedRemaining is not null).Should().Be(2, "the later stages start with the time left known");
    }

    [Fact]
    public void The_fixed_part_of_an_iteration_is_learned_once_two_sizes_are_measured()
    {
        // A device whose iteration costs as much as 2·128² more pixels whatever its size (a GPU's launches): until two sizes are
        // measured the estimate assumes cost in proportion to the pixels and reads high; from the second stage's 20th iteration on
        // it has the line and every estimate is exact.
        (PlannedStage, int)[] stages =
        [
            (new PlannedStage(new ScaleStage(64, 64, 40, 1), null, 64), 1),
            (new PlannedStage(new ScaleStage(128, 128, 40, 2), null, 128), 1),
            (new PlannedStage(new ScaleStage(256, 256, 40, 4), null, 256), 1),
        ];
        var now = TimeSpan.Zero;
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.None);
        static TimeSpan Cost(int side) => TimeSpan.FromSeconds(1e-6 * ((side * side) + (2 * 128 * 128)));
        for (var k = 0; k < stages.Length; k++)
        {
            var side = 64 << k;
            var sink = progress.ForStage(k)!;
            var stageStart = now;
            for (var i = 1; i <= 40; i++)
            {
                now += Cost(side);
                if (i == 1)
                {
                    ((IFirstIterationTiming)sink).FirstIterationDone(now - stageStart);
                }

                sink.Report(new StyleTransferProgress(i, 40, Losses, 1, now - stageStart));
            }
        }

        var end = now;
        double Error(StyleTransferProgress r) => (r.EstimatedRemaining!.Value - (end - r.Elapsed)) / (end - r.Elapsed);
        var reports = log.Reports;
        Error(reports[1]).Should().BeGreaterThan(0.5, "the first stage alone cannot show the fixed part");
        foreach (var report in reports.Where(r => r.Iteration >= 40 + RemainingTimeModel.MinimumWindow + 1 && r.Iteration < 120))
        {
            Error(report).Should().BeApproximately(0, 1e-6, $"at iteration {report.Iteration}");
        }
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(12.0)]
    public void A_slow_first_iteration_is_left_out_so_every_estimate_from_the_first_report_is_exact_at_a_steady_speed(double warmUpSeconds)
    {
        // 200 iterations at 256², reported every 10 as the tool does; the first iteration takes warmUpSeconds (first
        // allocations, libtorch's one-off set-up), every later one a second. The optimiser says when the first one is done.
        (PlannedStage, int)[] stages = [(new PlannedStage(new ScaleStage(256, 256, 200, 1), null, 256), 1)];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.None);
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
        foreach (var report in log.Reports)
        {
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately((end - report.Elapsed).TotalSeconds, 1e-6, $"at iteration {report.Iteration}");
        }
    }

    [Fact]
    public void Without_the_first_iterations_signal_a_stage_is_timed_from_its_first_report()
    {
        // A resumed run starts past its first iteration: its first report shows no estimate, the next ones the speed between reports.
        (PlannedStage, int)[] stages = [(new PlannedStage(new ScaleStage(256, 256, 200, 1), null, 256), 1)];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.None);
        var sink = progress.ForStage(0)!;
        now += TimeSpan.FromSeconds(30);
        sink.Report(new StyleTransferProgress(110, 200, Losses, 1, TimeSpan.FromSeconds(30)));
        now += TimeSpan.FromSeconds(20);
        sink.Report(new StyleTransferProgress(120, 200, Losses, 1, TimeSpan.FromSeconds(50)));

        log.Reports[0].EstimatedRemaining.Should().BeNull();
        log.Reports[1].EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(2.0 * 80, 1e-6);
    }

    [Fact]
    public void On_the_cpu_no_estimate_comes_before_the_minimum_is_timed_then_each_is_exact_with_the_warm_up_and_the_pixel_exponent()
    {
        // Coarse-to-fine at 341×256 then 682×512, reported every 5 iterations, on a simulated CPU that behaves as its prior says:
        // an iteration costs c·pixels^PixelExponent, iteration s is slower by SlowdownAfterWarmUp·(1 − s/FadeIterations) until
        // that fades, each stage's targets take 6 iterations' time and its first iteration 5.
        var prior = TimingPrior.Cpu;
        (PlannedStage, int)[] stages =
        [
            (new PlannedStage(new ScaleStage(256, 341, 100, 1), null, 256), 1),
            (new PlannedStage(new ScaleStage(512, 682, 100, 2), null, 512), 1),
        ];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, prior);
        double SlowerBy(int s) => 1 + (prior.SlowdownAfterWarmUp * Math.Max(0, 1 - ((double)s / prior.FadeIterations)));
        for (var k = 0; k < stages.Length; k++)
        {
            var unit = TimeSpan.FromSeconds(1e-7 * Math.Pow(k == 0 ? 341 * 256 : 682 * 512, prior.PixelExponent));
            progress.Phase(StyleTransferPhase.ComputingTargets, k);
            now += 6 * unit;
            var sink = progress.ForStage(k)!;
            var stageStart = now;
            for (var i = 1; i <= 100; i++)
            {
                now += (i == 1 ? 5 : SlowerBy(i)) * unit;
                if (i == 1)
                {
                    ((IFirstIterationTiming)sink).FirstIterationDone(now - stageStart);
                }

                if (i % 5 == 0)
                {
                    sink.Report(new StyleTransferProgress(i, 100, Losses, 1, now - stageStart));
                }
            }
        }

        var end = now;
        var reports = log.Reports;
        bool Timed(StyleTransferProgress r) => r.Iteration - prior.WarmUpIterations >= prior.MinimumTimed;
        reports.Where(r => !Timed(r)).Should().NotBeEmpty()
            .And.OnlyContain(r => r.EstimatedRemaining == null, "the CLI says \"estimating time left\" until the minimum is timed after the warm-up");
        foreach (var report in log.All.Where(Timed))
        {
            // Exact but for the simulated clock's rounding to whole ticks (100 ns) at each of its 200 steps.
            report.EstimatedRemaining.Should().NotBeNull();
            report.EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately((end - report.Elapsed).TotalSeconds, 1e-4, $"at iteration {report.Iteration} ({report.Phase})");
        }
    }

    [Fact]
    public void A_resumed_stage_does_not_count_the_iterations_before_its_resumption_as_its_set_up()
    {
        // Coarse-to-fine resumed at iteration 100 of the first stage's 200, at a second per iteration; the second stage has 4
        // times the pixels. What the resumed stage took to its first report covers only the 10 iterations since the resumption,
        // so the next stage is estimated as plain iterations: 50 left here and 200 at 4 s there.
        (PlannedStage, int)[] stages =
        [
            (new PlannedStage(new ScaleStage(100, 100, 200, 1), null, 100), 1),
            (new PlannedStage(new ScaleStage(200, 200, 200, 2), null, 200), 1),
        ];
        var now = TimeSpan.FromSeconds(5);
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.None);
        progress.Phase(StyleTransferPhase.ComputingTargets, 0);
        var sink = progress.ForStage(0)!;
        for (var done = 110; done <= 150; done += 10)
        {
            now += TimeSpan.FromSeconds(10);
            sink.Report(new StyleTransferProgress(done, 200, Losses, 1, now));
        }

        log.Reports[^1].EstimatedRemaining!.Value.TotalSeconds.Should().BeApproximately(50 + (200 * 4), 1e-6);
    }

    [Theory]
    [InlineData("cpu-default-192.csv", false, new[] { 200 }, new[] { 256 * 192 })]
    [InlineData("cpu-default-256-1.csv", false, new[] { 200 }, new[] { 341 * 256 })]
    [InlineData("cpu-default-256-2.csv", false, new[] { 200 }, new[] { 341 * 256 })]
    [InlineData("cpu-default-512.csv", false, new[] { 200 }, new[] { 682 * 512 })]
    [InlineData("cpu-quick-256-1.csv", true, new[] { 40 }, new[] { 341 * 256 })]
    [InlineData("cpu-quick-256-2.csv", true, new[] { 40 }, new[] { 341 * 256 })]
    [InlineData("cpu-quick-512.csv", true, new[] { 40 }, new[] { 682 * 512 })]
    [InlineData("cpu-coarse-to-fine-512.csv", false, new[] { 200, 200 }, new[] { 341 * 256, 682 * 512 })]
    public void On_recorded_runs_the_first_estimate_is_within_20_percent_and_the_later_ones_stay_close(string recording, bool lbfgs, int[] iterations, int[] pixels)
    {
        // The times of a real run's events on the CPU, in the tool's CPU time (eng/eta-accuracy.sh --record; docs/cli.md, "Time
        // left"): each stage's targets, then each iteration. They are replayed on a simulated clock with a report every 10
        // iterations, as the tool does, and every estimate from the first one on, while a tenth of the time is left, is compared
        // with the time that was actually left: the first within 20 %, nine in ten within 20 % and every one within 30 % (a
        // recorded run's own speed moves by a few per cent from block to block, which the last estimates, with little time
        // left, feel most).
        var events = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", "progress", recording))
            .Select(line => line.Split(','))
            .Select(f => (At: TimeSpan.FromSeconds(double.Parse(f[0], CultureInfo.InvariantCulture)), Kind: f[1], Value: int.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToArray();
        var stages = iterations.Select((n, k) => (new PlannedStage(new ScaleStage(1, pixels[k], n, 1), null, 1), 1)).ToArray();
        var now = TimeSpan.Zero;
        var log = new ProgressLog();
        var progress = new RunProgress(log, stages, () => now, TimingPrior.For(cuda: false, lbfgs));
        var offsets = iterations.Select((n, k) => iterations.Take(k).Sum()).ToArray();
        var stage = 0;
        var stageStart = TimeSpan.Zero;
        foreach (var (at, kind, value) in events)
        {
            now = at;
            if (kind == "targets")
            {
                stage = value - 1;
                progress.Phase(StyleTransferPhase.ComputingTargets, stage);
                continue;
            }

            var done = value - offsets[stage];
            var sink = progress.ForStage(stage)!;
            if (done == 1)
            {
                stageStart = now;
                ((IFirstIterationTiming)sink).FirstIterationDone(TimeSpan.Zero);
            }

            if (done % 10 == 0)
            {
                sink.Report(new StyleTransferProgress(done, iterations[stage], Losses, 1, now - stageStart));
            }
        }

        var (start, end) = (events[0].At, events[^1].At);
        var total = iterations.Sum();
        events[^1].Value.Should().Be(total, "the recorded run did all its iterations");
        var reports = log.Reports;
        reports.Should().HaveCount(total / 10);
        reports.First(r => r.EstimatedRemaining is not null).Iteration.Should().Be(20, "the first estimate rests on the iterations after the first up to 20");
        var errors = reports.SkipWhile(r => r.EstimatedRemaining is null).Where(r => end - r.Elapsed >= (end - start) / 10)
            .Select(r => (r.Iteration, Error: (r.EstimatedRemaining!.Value - (end - r.Elapsed)) / (end - r.Elapsed)))
            .ToArray();
        errors[0].Error.Should().BeInRange(-0.2, 0.2, $"the first estimate (iteration {errors[0].Iteration} of {total})");
        errors.Count(e => Math.Abs(e.Error) <= 0.2).Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(0.9 * errors.Length), "nine in ten estimates are within 20 %");
        foreach (var (iteration, error) in errors)
        {
            error.Should().BeInRange(-0.3, 0.3, $"at iteration {iteration} of {total}");
        }
    }
}
