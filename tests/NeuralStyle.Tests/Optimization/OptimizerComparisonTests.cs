using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

public sealed class OptimizerComparisonTests
{
    private const int Evaluations = 50;

    [Fact]
    public void Lbfgs_reaches_a_lower_loss_than_adam_after_the_same_number_of_evaluations_on_the_golden_problem()
    {
        using var problem = new GoldenProblem();
        var adam = Minimise(problem, new OptimizerOptions { Kind = OptimizerKind.Adam, LearningRate = 3.0, DecayStartFraction = 1, UnclampedFinalIterations = 0 });
        var lbfgs = Minimise(problem, new OptimizerOptions { Kind = OptimizerKind.Lbfgs, LbfgsLearningRate = 1.0, LbfgsHistorySize = 100 });
        ControlsKit.Log($"golden problem, {Evaluations} evaluations: start {adam.Start:G5}, Adam {adam.Final:G5} ({adam.Evaluations} evaluations), L-BFGS {lbfgs.Final:G5} ({lbfgs.Evaluations} evaluations)");

        adam.Evaluations.Should().Be(Evaluations);
        lbfgs.Evaluations.Should().Be(Evaluations, "one L-BFGS iteration is one function evaluation");
        lbfgs.Final.Should().BeLessThan(adam.Final);
    }

    [Fact]
    public async System.Threading.Tasks.Task Lbfgs_from_the_options_runs_unclamped_and_descends_steadily()
    {
        var options = ControlsKit.Small(iterations: 20) with { Optimizer = ControlsKit.Small(iterations: 20).Optimizer with { Kind = OptimizerKind.Lbfgs, ProgressInterval = 4 } };
        options.Optimizer.EffectiveClampBound.Should().BeNull("clamping behind L-BFGS's back corrupts its history");
        StyleTransferPresets.CompositionVii.Optimizer.EffectiveClampBound.Should().Be(1.5, "Adam keeps the seed's clamp");

        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var log = new ProgressLog();
        using var result = await StyleTransfer.RunAsync(content, style, options, log, TestContext.Current.CancellationToken);
        var losses = log.Reports.Select(r => r.TotalLoss).ToArray();
        ControlsKit.Log($"L-BFGS through RunAsync, loss every 4 evaluations: {string.Join(", ", losses.Select(l => l.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}");
        losses.Should().BeInDescendingOrder();
        losses[^1].Should().BeLessThan(losses[0] / 2);
    }

    private static (double Start, double Final, int Evaluations) Minimise(GoldenProblem problem, OptimizerOptions settings)
    {
        var counter = new CountingLoss(problem.Losses);
        var start = problem.Losses.Sum(l => { using var f = Extractors.Cpu.Extract(problem.Image, 7); using var v = l.Compute(f); return v.item<float>(); });
        var log = new ProgressLog();
        using var result = new StyleTransferOptimizer(Extractors.Cpu, settings with { ProgressInterval = 10 }).Optimize(problem.Image, [counter], Evaluations, log);
        ControlsKit.Log($"{settings.Kind}, loss before evaluation 10, 20, …: {string.Join(", ", log.Reports.Select(r => r.TotalLoss.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}");
        var evaluations = counter.Calls;
        using var noGrad = no_grad();
        using var features = Extractors.Cpu.Extract(result.Image, 7);
        using var final = counter.Compute(features);
        return (start, final.item<float>(), evaluations);
    }

    /// <summary>The sum of the golden problem's terms, counting how often it is evaluated.</summary>
    private sealed class CountingLoss(IReadOnlyList<ILoss> terms) : ILoss
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "total";

        public IReadOnlyCollection<int> Layers { get; } = terms.SelectMany(t => t.Layers).Distinct().ToArray();

        public Tensor Compute(FeatureMaps features)
        {
            Interlocked.Increment(ref _calls);
            using var scope = NewDisposeScope();
            var total = terms[0].Compute(features);
            for (var i = 1; i < terms.Count; i++)
            {
                total = total.add(terms[i].Compute(features));
            }

            return total.MoveToOuterDisposeScope();
        }
    }
}
