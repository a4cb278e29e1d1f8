using System.Collections.Generic;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Features;

/// <summary>
/// On the CPU the extractor runs on channels-last memory for both optimisers (L-BFGS's line search makes it indifferent to
/// the summation order), and gradients still reach the caller's contiguous image.
/// </summary>
public sealed class MemoryLayoutTests
{
    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Lbfgs)]
    public void Both_optimisers_run_the_network_on_channels_last_memory(OptimizerKind kind)
    {
        using var scope = NewDisposeScope();
        using var probe = new LayoutProbe();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { Kind = kind, DecayStartFraction = 1, ClampBound = null });

        using var result = optimizer.Optimize(rand(1, 3, 48, 48), [probe], 2);

        probe.Seen.Should().NotBeEmpty().And.OnlyContain(channelsLast => channelsLast);
        result.Image.is_contiguous().Should().BeTrue("the result is in the caller's layout");
    }

    /// <summary>A loss of the caller's that notes the layout of the features it is given.</summary>
    private sealed class LayoutProbe() : LossBase("probe", [3])
    {
        public List<bool> Seen { get; } = [];

        protected override Tensor ComputeCore(FeatureMaps features)
        {
            var f = features[3];
            Seen.Add(f.stride(1) == 1 && !f.is_contiguous());
            return f.square().mean();
        }
    }
}
