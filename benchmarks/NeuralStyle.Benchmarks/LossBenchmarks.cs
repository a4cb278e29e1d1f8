using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>Gram matrix and loss terms on the features of a 192×256 image (forward only).</summary>
[MemoryDiagnoser]
public class LossBenchmarks
{
    private SqueezeNetFeatureExtractor _extractor = null!;
    private Tensor _image = null!;
    private FeatureMaps _features = null!;
    private StyleLoss _style = null!;
    private ContentLoss _content = null!;
    private TotalVariationLoss _tv = null!;

    [GlobalSetup]
    public void Setup()
    {
        var weights = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")
            ?? throw new InvalidOperationException("Set NEURALSTYLE_WEIGHTS to the SqueezeNet 1.1 weight file.");
        _extractor = SqueezeNetFeatureExtractor.FromFile(weights);
        _image = rand(1, 3, 192, 256).DetachFromDisposeScope();
        _features = _extractor.Extract(_image, 7);
        int[] layers = [1, 4, 6, 7];
        using var scope = NewDisposeScope();
        _style = new StyleLoss(layers, layers.Select(l => GramMatrix.Compute(_features[l])).ToArray(), [20000, 500, 12, 1]);
        _content = new ContentLoss(3, _features[3], 0.05);
        _tv = new TotalVariationLoss(0.05);
    }

    [Benchmark(Description = "Gram matrix, layer 1 (64×96×128)")]
    public float GramLayer1() => Scalar(GramMatrix.Compute(_features[1]).sum());

    [Benchmark(Description = "style loss, 4 layers")]
    public float Style() => Scalar(_style.Compute(_features));

    [Benchmark(Description = "content loss")]
    public float Content() => Scalar(_content.Compute(_features));

    [Benchmark(Description = "total variation")]
    public float TotalVariation() => Scalar(_tv.Compute(_features));

    [Benchmark(Description = "features up to layer 7")]
    public long Features()
    {
        using var noGrad = no_grad();
        using var maps = _extractor.Extract(_image, 7);
        return maps[7].shape[1];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _features.Dispose();
        _image.Dispose();
        _style.Dispose();
        _content.Dispose();
        _extractor.Dispose();
    }

    private static float Scalar(Tensor t)
    {
        using (t)
        {
            return t.item<float>();
        }
    }
}
