using System;
using System.Linq;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

public sealed class OptimizerTests
{
    private static readonly OptimizerOptions GoldenSettings = new()
    {
        LearningRate = 3.0,
        DecayStartFraction = 1,
        UnclampedFinalIterations = 0,
        ProgressInterval = 1,
    };

    [Fact]
    public void Adam_trajectory_matches_the_golden_20_steps()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings);
        using var result = optimizer.Optimize(problem.Image, problem.Losses, 20, log);

        var golden = Golden.Root.GetProperty("adam_trajectory").GetProperty("steps").EnumerateArray().ToArray();
        log.Reports.Should().HaveCount(20);
        for (var t = 0; t < 20; t++)
        {
            var expected = golden[t];
            var actual = log.Reports[t].Losses;
            // Float32 drift grows with the steps: tight at first, looser later.
            var tolerance = t < 3 ? 1e-3 : 0.05;
            foreach (var (name, key) in new[] { ("content", "content"), ("style", "style"), ("tv", "tv") })
            {
                var e = expected.GetProperty(key).GetDouble();
                actual.Terms[name].Should().BeApproximately(e, Math.Abs(e) * tolerance, $"{name} at step {t}");
            }

            actual.Total.Should().BeApproximately(expected.GetProperty("total").GetDouble(), expected.GetProperty("total").GetDouble() * tolerance, $"total at step {t}");
        }

        result.FinalLosses.Total.Should().Be(log.Reports[^1].TotalLoss);
        result.Iterations.Should().Be(20);
    }

    [Fact]
    public void Input_image_is_neither_changed_nor_disposed()
    {
        using var problem = new GoldenProblem();
        using var before = problem.Image.clone();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings);
        using var result = optimizer.Optimize(problem.Image, problem.Losses, 3);
        problem.Image.IsInvalid.Should().BeFalse();
        Tensors.Identical(problem.Image, before).Should().BeTrue();
        Tensors.Identical(result.Image, before).Should().BeFalse("the optimised copy moved");
        result.Image.requires_grad.Should().BeFalse();
    }

    [Fact]
    public void Progress_is_reported_at_the_interval_and_at_the_end()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings with { ProgressInterval = 3 });
        using var result = optimizer.Optimize(problem.Image, problem.Losses, 7, log);
        log.Reports.Select(r => r.Iteration).Should().Equal(3, 6, 7);
        log.Reports.Should().OnlyContain(r => r.TotalIterations == 7 && r.Losses.Terms.Count == 3 && r.LearningRate == 3.0);
        log.Reports.Select(r => r.Elapsed).Should().BeInAscendingOrder();
    }

    [Fact]
    public void Schedule_changes_the_learning_rate()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        var settings = GoldenSettings with { DecayedLearningRate = 0.1, DecayStartFraction = 4 / 6.0, ProgressInterval = 1 };
        settings.LearningRateAt(3, 6).Should().Be(3.0);
        settings.LearningRateAt(4, 6).Should().Be(0.1);
        (settings with { Kind = OptimizerKind.Lbfgs }).LearningRateAt(5, 6).Should().Be(settings.LbfgsLearningRate, "L-BFGS keeps its own step size");
        using var result = new StyleTransferOptimizer(Extractors.Cpu, settings).Optimize(problem.Image, problem.Losses, 6, log);
        log.Reports.Select(r => r.LearningRate).Should().Equal(3.0, 3.0, 3.0, 3.0, 0.1, 0.1);
    }

    [Fact]
    public void Clamp_keeps_pixels_in_bounds_until_the_final_unclamped_iterations()
    {
        using var problem = new GoldenProblem();
        var settings = GoldenSettings with { ClampBound = 0.5, UnclampedFinalIterations = 0 };
        using var result = new StyleTransferOptimizer(Extractors.Cpu, settings).Optimize(problem.Image, problem.Losses, 5);
        // Clamped before the last step, which moves each pixel by at most the learning rate (Adam's step is bounded by lr).
        result.Image.abs().max().item<float>().Should().BeLessThanOrEqualTo(0.5f + 3.0f + 1e-3f);

        var none = GoldenSettings with { ClampBound = 0.5 };
        using var once = new StyleTransferOptimizer(Extractors.Cpu, none).Optimize(problem.Image, problem.Losses, 1);
        var moved = once.Image.sub(problem.Image.clamp(-0.5, 0.5)).abs().max().item<float>();
        moved.Should().BeLessThanOrEqualTo(3.0f + 1e-3f, "the first step starts from the clamped image");
    }

    [Fact]
    public void Same_inputs_give_bit_identical_results_on_the_cpu()
    {
        using var problem = new GoldenProblem();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings);
        using var first = optimizer.Optimize(problem.Image, problem.Losses, 5);
        using var second = optimizer.Optimize(problem.Image, problem.Losses, 5);
        Tensors.Identical(first.Image, second.Image).Should().BeTrue();
    }

    [Fact]
    public void Cancellation_between_steps_throws_and_leaks_no_tensors()
    {
        using var problem = new GoldenProblem();
        using var cts = new CancellationTokenSource();
        var log = new ProgressLog { OnReport = r => { if (r.Iteration == 3) { cts.Cancel(); } } };
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var act = () => optimizer.Optimize(problem.Image, problem.Losses, 50, log, cts.Token).Dispose();
        act.Should().Throw<OperationCanceledException>();
        log.Reports.Should().HaveCount(3, "cancellation takes effect before the next step");
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void Live_tensor_count_is_flat_across_runs()
    {
        using var problem = new GoldenProblem();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings);
        optimizer.Optimize(problem.Image, problem.Losses, 4).Dispose(); // warm-up
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 5; i++)
        {
            optimizer.Optimize(problem.Image, problem.Losses, 4, new ProgressLog()).Dispose();
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void Lbfgs_lowers_the_loss()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        var settings = new OptimizerOptions { Kind = OptimizerKind.Lbfgs, LbfgsLearningRate = 1.0, ProgressInterval = 1 };
        using var result = new StyleTransferOptimizer(Extractors.Cpu, settings).Optimize(problem.Image, problem.Losses, 20, log);
        log.Reports.Should().HaveCount(20);
        log.Reports[^1].TotalLoss.Should().BeLessThan(log.Reports[0].TotalLoss / 2);
    }

    [Fact]
    public void Diverging_loss_is_reported_as_numerical_instability()
    {
        using var problem = new GoldenProblem(contentWeight: 1e37);
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, GoldenSettings with { ProgressInterval = 100 });
        var act = () => optimizer.Optimize(problem.Image, problem.Losses, 5).Dispose();
        act.Should().Throw<NumericalInstabilityException>().Which.Iteration.Should().Be(0);
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_their_name()
    {
        using var problem = new GoldenProblem();
        var negative = () => new StyleTransferOptimizer(Extractors.Cpu).Optimize(problem.Image, problem.Losses, -1);
        negative.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("iterations");
        var act = () => new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { LearningRate = double.NaN });
        act.Should().Throw<ArgumentException>().WithParameterName("Optimizer.LearningRate")
            .WithMessage("StyleTransferOptions.Optimizer.LearningRate must be*");
    }
}
