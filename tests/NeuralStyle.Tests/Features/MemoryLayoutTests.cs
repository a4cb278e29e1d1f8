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
/// On the CPU the extractor runs on channels-last memory, except where the thread asked for contiguous memory: L-BFGS runs,
/// which TorchSharp runs without a line search, keep the layout they were validated with.
/// </summary>
public sealed class MemoryLayoutTests
{
    [Theory]
    [InlineData(OptimizerKind.Adam, true)]
    [InlineData(OptimizerKind.Lbfgs, false)]
    public void Adam_runs_on_channels_last_memory_and_lbfgs_on_contiguous(OptimizerKind kind, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var probe = new LayoutProbe();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, new OptimizerOptions { Kind = kind, DecayStartFraction = 1, ClampBound = null });

        optimizer.Optimize(rand(1, 3, 48, 48), [probe], 2).Dispose();

        probe.Seen.Should().NotBeEmpty().And.OnlyContain(c => c == channelsLast);
        MemoryLayout.ContiguousRequested.Should().BeFalse("the request ends with the run");
    }

    [Fact]
    public void A_request_for_contiguous_memory_holds_on_its_thread_until_disposed()
    {
        using var scope = NewDisposeScope();
        var image = rand(1, 3, 48, 48);
        using (MemoryLayout.PreferContiguous())
        {
            using var inside = Extractors.Cpu.Extract(image, 3);
            inside[3].is_contiguous().Should().BeTrue();
        }

        using var outside = Extractors.Cpu.Extract(image, 3);
        outside[3].is_contiguous().Should().BeFalse("channels-last is the CPU's default");
        outside[3].stride(1).Should().Be(1);
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
