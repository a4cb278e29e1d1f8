using System;
using System.Collections.Generic;
using NeuralStyle.Features;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline;

/// <summary>
/// A second feature extractor, unrelated to SqueezeNet: three random-weight 3×3 convolutions (the second and third with
/// stride 2), each followed by a ReLU; six layers. Frozen, on the CPU, the same weights for a seed.
/// </summary>
internal sealed class TinyConvNet : IFeatureExtractor
{
    private static readonly string[] Names = ["conv1", "relu1", "conv2", "relu2", "conv3", "relu3"];
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Conv2d _conv3;

    public TinyConvNet(long seed = 7)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed, CPU);
        _conv1 = Frozen(nn.Conv2d(3, 8, 3, padding: 1), generator);
        _conv2 = Frozen(nn.Conv2d(8, 16, 3, stride: 2, padding: 1), generator);
        _conv3 = Frozen(nn.Conv2d(16, 16, 3, stride: 2, padding: 1), generator);
    }

    public string Name => "tiny-conv";

    public IReadOnlyList<string> LayerNames => Names;

    public int MinimumInputSize => 4;

    public Device Device => CPU;

    public int Forwards { get; private set; }

    public FeatureMaps Extract(Tensor image, int lastLayer)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lastLayer, Names.Length - 1);
        Forwards++;
        var outputs = new List<Tensor>();
        var x = image;
        nn.Module<Tensor, Tensor>[] convolutions = [_conv1, _conv2, _conv3];
        for (var i = 0; i <= lastLayer; i++)
        {
            x = i % 2 == 0 ? convolutions[i / 2].call(x) : nn.functional.relu(x);
            outputs.Add(x);
        }

        return new FeatureMaps(image, outputs);
    }

    public void Dispose()
    {
        _conv1.Dispose();
        _conv2.Dispose();
        _conv3.Dispose();
    }

    private static Conv2d Frozen(Conv2d conv, Generator generator)
    {
        using (no_grad())
        {
            foreach (var parameter in conv.parameters())
            {
                parameter.copy_(randn(parameter.shape, generator: generator).mul(0.3));
                parameter.requires_grad = false;
            }
        }

        conv.eval();
        return conv;
    }
}
