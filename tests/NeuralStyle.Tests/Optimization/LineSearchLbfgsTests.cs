using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// The line-search L-BFGS on problems whose minimum is known by hand: a badly scaled quadratic (exact minimiser b/a) and
/// Rosenbrock's valley (minimum 0 at (1, 1)). Driven as the optimiser drives it: one evaluation, then <c>Advance</c>.
/// </summary>
public sealed class LineSearchLbfgsTests
{
    /// <summary>f(x) = ½ Σ aᵢxᵢ² − Σ bᵢxᵢ with aᵢ from 1 to 1000; minimiser xᵢ = bᵢ/aᵢ, minimum −½ Σ bᵢ²/aᵢ.</summary>
    private static (double Loss, Tensor Gradient) Quadratic(Tensor x, Tensor a, Tensor b)
    {
        var gradient = a.mul(x).sub(b);
        var loss = a.mul(x).mul(x).sum().item<float>() / 2 - b.mul(x).sum().item<float>();
        return (loss, gradient);
    }

    private static (double Loss, Tensor Gradient) Rosenbrock(Tensor p)
    {
        var (x, y) = (p[0].item<float>(), p[1].item<float>());
        var loss = Math.Pow(1 - x, 2) + (100 * Math.Pow(y - (x * x), 2));
        var gradient = tensor(new[] { (float)((-2 * (1 - x)) - (400 * x * (y - (x * x)))), (float)(200 * (y - (x * x))) });
        return (loss, gradient);
    }

    private static List<double> Drive(LineSearchLbfgs search, Tensor x, Func<Tensor, (double Loss, Tensor Gradient)> f, int evaluations)
    {
        var accepted = new List<double>();
        for (var i = 0; i < evaluations && !search.Converged; i++)
        {
            using var scope = NewDisposeScope();
            var (loss, gradient) = f(x);
            if (search.Advance(x, loss, gradient))
            {
                accepted.Add(loss);
            }
        }

        search.RestoreAccepted(x);
        return accepted;
    }

    [Fact]
    public void It_finds_the_minimiser_of_a_badly_scaled_quadratic_with_accepted_losses_never_rising()
    {
        using var scope = NewDisposeScope();
        var a = linspace(1, 1000, 200);
        var b = ones(200);
        var x = zeros(200);
        using var search = new LineSearchLbfgs(rate: 1, historySize: 10, tolerance: 0);

        var accepted = Drive(search, x, v => Quadratic(v, a, b), 150);

        var minimum = -b.square().div(a).sum().item<float>() / 2;
        accepted.Should().BeInDescendingOrder();
        accepted[^1].Should().BeApproximately(minimum, Math.Abs(minimum) * 1e-4, "L-BFGS converges on a quadratic of condition number 1000");
        x.sub(b.div(a)).abs().max().item<float>().Should().BeLessThan(1e-3f, "the pixels end on the accepted point, the minimiser");
        search.AcceptedSteps.Should().BeGreaterThan(10);
    }

    [Fact]
    public void A_step_a_hundred_times_too_long_is_shortened_until_the_loss_falls()
    {
        using var scope = NewDisposeScope();
        var a = linspace(1, 1000, 200);
        var b = ones(200);
        var x = zeros(200);
        using var search = new LineSearchLbfgs(rate: 100, historySize: 10, tolerance: 0);

        var accepted = Drive(search, x, v => Quadratic(v, a, b), 200);

        accepted.Should().BeInDescendingOrder("an uphill trial is never accepted, however long the step");
        var minimum = -b.square().div(a).sum().item<float>() / 2;
        accepted[^1].Should().BeApproximately(minimum, Math.Abs(minimum) * 1e-3);
    }

    [Fact]
    public void It_follows_rosenbrocks_curved_valley_to_the_minimum()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { -1.2f, 1f });
        using var search = new LineSearchLbfgs(rate: 1, historySize: 10, tolerance: 0);

        var accepted = Drive(search, p, Rosenbrock, 200);

        ControlsKit.Log($"Rosenbrock from (-1.2, 1): {accepted.Count} accepted steps, loss {accepted[^1]:G3} at ({p[0].item<float>():F4}, {p[1].item<float>():F4})");
        accepted.Should().BeInDescendingOrder();
        accepted[^1].Should().BeLessThan(1e-6);
        p[0].item<float>().Should().BeApproximately(1f, 1e-2f);
        p[1].item<float>().Should().BeApproximately(1f, 2e-2f);
    }

    [Fact]
    public void It_stops_when_an_accepted_step_no_longer_changes_the_loss_beyond_the_tolerance()
    {
        using var scope = NewDisposeScope();
        var a = linspace(1, 10, 50);
        var b = ones(50);
        var x = zeros(50);
        using var search = new LineSearchLbfgs(rate: 1, historySize: 10, tolerance: 1e-6);

        var evaluations = 0;
        Drive(search, x, v => { evaluations++; return Quadratic(v, a, b); }, 500);

        search.Converged.Should().BeTrue();
        evaluations.Should().BeLessThan(100, "a quadratic of condition number 10 settles in a few dozen evaluations");
    }

    [Fact]
    public void It_allocates_everything_it_keeps_at_the_first_evaluation_and_owns_it()
    {
        var a = linspace(1, 1000, 200).DetachFromDisposeScope();
        var b = ones(200).DetachFromDisposeScope();
        var x = zeros(200).DetachFromDisposeScope();
        try
        {
            var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (var search = new LineSearchLbfgs(rate: 1, historySize: 3, tolerance: 0))
            {
                using (NewDisposeScope())
                {
                    var (loss, gradient) = Quadratic(x, a, b);
                    search.Advance(x, loss, gradient).Should().BeTrue();
                }

                // The accepted point, its gradient and the direction, and the steps and gradient changes of 3 pairs and a trial.
                (DisposeScopeManager.Statistics.ThreadTotalLiveCount - live).Should().Be(5);

                Drive(search, x, v => Quadratic(v, a, b), 60);
                search.AcceptedSteps.Should().BeGreaterThan(3, "the history has filled and turned over");
                (DisposeScopeManager.Statistics.ThreadTotalLiveCount - live).Should().Be(5, "no vector is added as the history fills");
            }

            DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live, "disposing the search frees everything it kept");
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            x.Dispose();
        }
    }
}
