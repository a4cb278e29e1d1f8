using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Losses;

/// <summary>The style-gradient tests' problem: random feature maps and targets in either memory layout.</summary>
internal static class GradientProblem
{
    /// <summary>
    /// Two layers of 8 and 16 channels that require a gradient, non-symmetric targets (the formula must hold for any A, not
    /// only for Gram matrices) and, if asked, a mask; channels-last means the same shape with channel stride 1, the layout
    /// the CPU extractor produces, in which the gradient must come back.
    /// </summary>
    public static (Tensor[] Targets, Tensor? Mask, Tensor[] Features, FeatureMaps Maps) Create(ulong seed, bool masked, int batch, bool channelsLast)
    {
        var generator = new TorchSharp.torch.Generator(seed);
        int[] channels = [8, 16];
        long[][] sizes = [[11, 13], [6, 5]];
        var targets = channels.Select(c => randn([c, c], generator: generator).abs()).ToArray();
        var mask = masked ? rand([batch, 1, 9, 7], generator: generator) : null;
        var features = channels.Select((c, i) => randn([batch, c, sizes[i][0], sizes[i][1]], generator: generator).relu()).ToArray();
        if (channelsLast)
        {
            features = [.. features.Select(f => f.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2))];
            features[0].stride(1).Should().Be(1);
        }

        features = [.. features.Select(f => f.requires_grad_())];
        return (targets, mask, features, new FeatureMaps(zeros(batch, 3, 4, 4), [features[0], features[1]]));
    }
}
