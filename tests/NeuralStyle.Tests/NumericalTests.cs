using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;

namespace NeuralStyle.Tests;

/// <summary>
/// NaN and ∞ during a run are reported as <see cref="NumericalInstabilityException"/> at the iteration where they appear
/// (on the CPU the loss is read every iteration, whatever the progress interval), never returned as a black image.
/// </summary>
public sealed class NumericalTests
{
    [Fact]
    public async Task Lbfgs_with_an_absurd_rate_and_weights_stays_finite_because_its_line_search_rejects_overflowing_steps()
    {
        using var content = Content();
        using var style = Style();
        var log = new ProgressLog();
        double[] huge = [1e12, 1e12, 1e12, 1e12];
        var options = Tiny with
        {
            ContentWeight = 1e12, StyleWeights = huge, TotalVariationWeight = 1e12, Iterations = 40,
            Optimizer = Tiny.Optimizer with { Kind = OptimizerKind.Lbfgs, LbfgsLearningRate = 1e4, ClampBound = null, ProgressInterval = 1 },
        };

        using var result = await StyleTransfer.RunAsync(content, style, options, log, Ct);

        var losses = log.Reports.Select(r => r.TotalLoss).ToArray();
        Log($"L-BFGS at rate 1e4 with weights 1e12, reported losses: {string.Join(", ", losses.Select(l => l.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)))}");
        losses.Should().OnlyContain(l => double.IsFinite(l)).And.BeInDescendingOrder("no accepted step raises the loss");
        losses[^1].Should().BeLessThan(losses[0], "it still makes progress");
        result.FinalLosses.Total.Should().Be(losses[^1]);
    }

    [Fact]
    public async Task Lbfgs_stops_with_a_clear_error_when_every_gradient_turns_NaN()
    {
        using var content = Content();
        using var style = Style();
        using var probe = new ProbeLoss { NanGradientFromCall = 3 };
        var options = Tiny with { Iterations = 200, AdditionalLosses = [probe], Optimizer = Tiny.Optimizer with { Kind = OptimizerKind.Lbfgs, ProgressInterval = 1 } };

        var act = () => StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<NumericalInstabilityException>()).Which;
        thrown.Message.Should().Contain("L-BFGS found no point with a finite loss and gradient").And.Contain($"iteration {thrown.Iteration}");
        probe.Calls.Should().BeLessThan(40, "two rounds of a dozen shortened steps, not the whole budget, are tried before giving up");
    }

    [Fact]
    public async Task Adam_at_the_largest_allowed_rate_and_weights_stays_finite()
    {
        // Adam's step is bounded by its rate and the clamp bounds the pixels, so the validated limits cannot overflow float32.
        using var content = Content();
        using var style = Style();
        double[] huge = [1e12, 1e12, 1e12, 1e12];
        var options = Tiny with { ContentWeight = 1e12, StyleWeights = huge, TotalVariationWeight = 1e12, Iterations = 12, Optimizer = Tiny.Optimizer with { LearningRate = 1e4, DecayedLearningRate = 1e4 } };

        using var result = await StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        double.IsFinite(result.FinalLosses.Total).Should().BeTrue();
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(5, 1000)]
    [InlineData(5, 3)]
    public async Task A_loss_that_turns_NaN_is_caught_at_that_iteration_whatever_the_progress_interval(int nanAtCall, int progressInterval)
    {
        using var content = Content();
        using var style = Style();
        using var probe = new ProbeLoss { NanFromCall = nanAtCall };
        var log = new ProgressLog();
        var options = Tiny with { Iterations = 20, AdditionalLosses = [probe], Optimizer = Tiny.Optimizer with { ProgressInterval = progressInterval } };

        var act = () => StyleTransfer.RunAsync(content, style, options, log, Ct);

        var thrown = (await act.Should().ThrowAsync<NumericalInstabilityException>()).Which;
        thrown.Iteration.Should().Be(nanAtCall - 1);
        probe.Calls.Should().Be(nanAtCall, "no further step ran");
        thrown.Losses!.Terms["probe"].Should().Be(double.NaN);
        log.Reports.Where(r => r.Iteration >= nanAtCall).Should().BeEmpty();
    }

    [Fact]
    public async Task A_NaN_written_into_the_image_by_the_last_step_is_caught()
    {
        // The last step's loss is finite but its gradient is NaN, so only the returned image would show it (as black pixels).
        using var content = Content();
        using var style = Style();
        using var probe = new ProbeLoss { NanGradientFromCall = 3 };
        var options = Tiny with { Iterations = 3, AdditionalLosses = [probe] };

        var act = () => StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<NumericalInstabilityException>()).Which;
        thrown.Iteration.Should().Be(2);
        thrown.Message.Should().Contain("last step");
        double.IsFinite(thrown.Losses!.Total).Should().BeTrue();
    }

    [Fact]
    public async Task A_NaN_gradient_before_the_last_step_is_caught_at_the_next_iteration()
    {
        using var content = Content();
        using var style = Style();
        using var probe = new ProbeLoss { NanGradientFromCall = 2 };
        var options = Tiny with { Iterations = 10, AdditionalLosses = [probe], Optimizer = Tiny.Optimizer with { ProgressInterval = 100 } };

        var act = () => StyleTransfer.RunAsync(content, style, options, cancellationToken: Ct);

        (await act.Should().ThrowAsync<NumericalInstabilityException>()).Which.Iteration.Should().Be(2, "step 1 wrote NaN pixels; step 2's loss shows it");
    }

    [Fact]
    public void Zero_iterations_with_a_NaN_starting_image_fail_instead_of_returning_it()
    {
        using var problem = new GoldenProblem();
        using var nanImage = problem.Image.clone();
        nanImage[0, 0, 0, 0] = TorchSharp.torch.tensor(float.NaN);
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu);

        var act = () => optimizer.Optimize(nanImage, problem.Losses.ToArray(), 0).Dispose();

        act.Should().Throw<NumericalInstabilityException>().Which.Iteration.Should().Be(0);
    }
}
