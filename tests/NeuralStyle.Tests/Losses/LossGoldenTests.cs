using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Tests.Features;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Losses;

public sealed class LossGoldenTests
{
    [Fact]
    public void Content_loss_matches_golden()
    {
        var golden = Golden.Root.GetProperty("content_loss");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (fa, fb) = Features();
        using var loss = new ContentLoss(golden.GetProperty("layer").GetInt32(), fb[3], golden.GetProperty("weight").GetDouble());
        SqueezeNetGoldenTests.ShouldBeClose(loss.Compute(fa).item<float>(), golden.GetProperty("value").GetDouble(), 1e-4, "content loss");
        loss.Name.Should().Be("content");
        loss.Layers.Should().Equal(3);
    }

    [Fact]
    public void Style_loss_terms_and_total_match_golden()
    {
        var golden = Golden.Root.GetProperty("style_loss");
        var layers = golden.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var weights = golden.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var terms = golden.GetProperty("terms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (fa, fb) = Features();
        var targets = layers.Select(l => GramMatrix.Compute(fb[l])).ToArray();
        using var loss = new StyleLoss(layers, targets, weights);
        var computed = loss.ComputeTerms(fa).Select(t => (double)t.item<float>()).ToArray();
        for (var i = 0; i < terms.Length; i++)
        {
            SqueezeNetGoldenTests.ShouldBeClose(computed[i], terms[i], 1e-4, $"style term for layer {layers[i]}");
        }

        SqueezeNetGoldenTests.ShouldBeClose(loss.Compute(fa).item<float>(), golden.GetProperty("value").GetDouble(), 1e-4, "style loss");
    }

    [Fact]
    public void Total_variation_loss_matches_golden()
    {
        var golden = Golden.Root.GetProperty("tv_loss");
        using var scope = NewDisposeScope();
        using var a = Golden.InputA();
        using var maps = new FeatureMaps(a, []);
        using var loss = new TotalVariationLoss(golden.GetProperty("weight").GetDouble());
        SqueezeNetGoldenTests.ShouldBeClose(loss.Compute(maps).item<float>(), golden.GetProperty("value").GetDouble(), 1e-4, "tv loss");
        loss.Layers.Should().BeEmpty();
    }

    private static (FeatureMaps A, FeatureMaps B) Features()
    {
        var extractor = Extractors.Cpu;
        var a = Golden.InputA();
        var b = Golden.InputB();
        return (extractor.Extract(a, 12), extractor.Extract(b, 12));
    }
}
