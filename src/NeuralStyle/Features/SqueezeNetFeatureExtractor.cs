using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;
using NeuralStyle.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NeuralStyle.Features;

/// <summary>
/// SqueezeNet 1.1 feature extractor: exactly torchvision's <c>squeezenet1_1().features</c> (modules 0–12),
/// frozen and in evaluation mode, with torchvision's weight names.
/// </summary>
/// <remarks>
/// <para>Layer indices follow torchvision: 0 <c>conv1</c>, 1 <c>relu1</c>, 2 <c>pool1</c>, 3 <c>fire2</c>, 4 <c>fire3</c>,
/// 5 <c>pool3</c>, 6 <c>fire4</c>, 7 <c>fire5</c>, 8 <c>pool5</c>, 9 <c>fire6</c>, 10 <c>fire7</c>, 11 <c>fire8</c>, 12 <c>fire9</c>.</para>
/// <para>As in torchvision, the ReLU at index 1 works in place, so when layer 1 is computed the output of layer 0 holds
/// the rectified values too. The reference implementation and the published hyper-parameters rely on this.</para>
/// </remarks>
public sealed partial class SqueezeNetFeatureExtractor : IFeatureExtractor
{
    /// <summary>The number of layers (torchvision's <c>features</c> modules 0–12).</summary>
    public const int LayerCount = 13;

    private readonly SqueezeNet11Features _network;
    private readonly Module<Tensor, Tensor>[] _layers;
    private bool _disposed;

    private SqueezeNetFeatureExtractor(SqueezeNet11Features network, Device device)
    {
        _network = network;
        Device = device;
        _layers = network.Layers.children().Cast<Module<Tensor, Tensor>>().ToArray();
        ChannelsLast = device.type == DeviceType.CPU;
    }

    /// <inheritdoc />
    public string Name => "squeezenet1_1";

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => Names;

    /// <inheritdoc />
    public int MinimumInputSize => MinimumInputSizeFor(LayerCount - 1);

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public int MinimumInputSizeUpTo(int lastLayer) => MinimumInputSizeFor(lastLayer);

    /// <summary>
    /// Gets or sets a value indicating whether the network runs on channels-last (NHWC) memory: the features keep the
    /// <c>[N,C,H,W]</c> shape with channel stride 1. On by default on the CPU, where it halves the time of the network's
    /// passes (docs/performance.md); off elsewhere (unmeasured). Settable inside the library for comparisons.
    /// </summary>
    internal bool ChannelsLast { get; set; }

    /// <summary>Loads weights from a file (safetensors, PyTorch zip <c>.pth</c> or PyTorch legacy <c>.pth</c>).</summary>
    /// <param name="path">The weight file; torchvision's own <c>squeezenet1_1-b8a52dc0.pth</c> works.</param>
    /// <param name="device">The device to run on; <see langword="null"/> means the CPU.</param>
    /// <returns>A frozen extractor; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightFormatException">The file is malformed or lacks a tensor, or a tensor has the wrong shape.</exception>
    public static SqueezeNetFeatureExtractor FromFile(string path, Device? device = null)
    {
        Guard.NotNullOrWhiteSpace(path);
        if (!System.IO.File.Exists(path))
        {
            throw new System.IO.FileNotFoundException($"Weight file '{path}' does not exist.", path);
        }

        var weights = WeightFileReader.Read(path);
        return FromWeights(weights, device, WeightSet.Describe(weights));
    }

    /// <summary>Builds the network from tensors already read, keyed as torchvision names them.</summary>
    /// <param name="weights">Tensors keyed <c>features.N.…</c>; <c>classifier.*</c> keys are ignored.</param>
    /// <param name="device">The device to run on; <see langword="null"/> means the CPU.</param>
    /// <returns>A frozen extractor; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">A tensor is missing, unexpected, or has the wrong shape.</exception>
    public static SqueezeNetFeatureExtractor FromWeights(IReadOnlyDictionary<string, WeightTensor> weights, Device? device = null)
        => FromWeights(weights, device, WeightSet.Describe(weights));

    private static SqueezeNetFeatureExtractor FromWeights(IReadOnlyDictionary<string, WeightTensor> weights, Device? device, string source)
    {
        Guard.NotNull(weights);
        device ??= CPU;
        var network = new SqueezeNet11Features();
        try
        {
            LoadWeights(network, weights, source);
            foreach (var parameter in network.parameters())
            {
                parameter.requires_grad = false;
            }

            network.eval();
            if (device.type != DeviceType.CPU)
            {
                network.to(device);
            }

            return new SqueezeNetFeatureExtractor(network, device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public FeatureMaps Extract(Tensor image, int lastLayer) => Extract(image, lastLayer, cuts: null);

    /// <summary>
    /// <see cref="Extract(Tensor, int)"/> with the graph cut after each layer of <paramref name="cuts"/> below
    /// <paramref name="lastLayer"/>: the layers above read a detached copy of that layer's output that requires a
    /// gradient (given back in <paramref name="cuts"/>'s values), so a backward pass can run one segment at a time.
    /// Layer 0 cannot be cut (the ReLU after it works in place).
    /// </summary>
    /// <param name="image">The normalised image.</param>
    /// <param name="lastLayer">The last layer to compute.</param>
    /// <param name="cuts">The layers to cut after, mapped to null on entry; on return each cut below the last layer maps to the
    /// detached input of the layers above, owned by the caller.</param>
    /// <param name="stemByHand">
    /// Whether the backward pass takes the stem's gradient by hand (<see cref="StemGradient"/>): layers 0 and 1 (conv1 and
    /// its ReLU) are then computed without a graph, <paramref name="cuts"/> must hold layer 1, and the outputs of layers 0
    /// and 1 are views of the cut's leaf, so terms that read them see outputs that require a gradient.
    /// </param>
    /// <param name="poolByHand">
    /// Whether it takes the first max-pool's gradient by hand too (<see cref="PoolGradient"/>): layer 2 is then computed
    /// by <see cref="PoolForward"/>, without a graph as well (so without indices), and <paramref name="cuts"/> must hold layer 2.
    /// </param>
    /// <param name="fires">
    /// The Fire modules the step takes by hand (<see cref="TakesFireModuleByHand"/>), mapped to null on entry: each is computed
    /// by <see cref="FireForward"/>, without a graph, its output a leaf that requires a gradient, and on return maps to its squeeze's
    /// rectified output, owned by the caller; <paramref name="cuts"/> must hold the layer below each.
    /// </param>
    /// <param name="pools">
    /// The later max-pools (layers 5 and 8) whose gradient the backward pass takes by hand (<see cref="PoolGradient"/>), each
    /// over a Fire module of <paramref name="fires"/>: computed by <see cref="PoolForward"/>, without a graph (so without
    /// indices), the output a leaf that requires a gradient.
    /// </param>
    internal FeatureMaps Extract(
        Tensor image, int lastLayer, IDictionary<int, Tensor?>? cuts, bool stemByHand = false, bool poolByHand = false, IDictionary<int, Tensor?>? fires = null, IReadOnlyCollection<int>? pools = null)
    {
        if (cuts is not null && cuts.ContainsKey(0))
        {
            throw new ArgumentException("Layer 0 cannot be cut: the ReLU after it works in place.", nameof(cuts));
        }

        if (stemByHand && (cuts is null || !cuts.ContainsKey(1) || lastLayer < 2 || !TakesStemGradientByHand))
        {
            throw new ArgumentException("The stem's gradient is taken by hand only with a cut after layer 1 below the last layer, where the kernel applies.", nameof(stemByHand));
        }

        if (poolByHand && (!stemByHand || !cuts!.ContainsKey(2) || lastLayer < 3))
        {
            throw new ArgumentException("The first max-pool's gradient is taken by hand only with the stem's, and with a cut after layer 2 below the last layer.", nameof(poolByHand));
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        Guard.NotNull(image);
        CheckLayer(lastLayer);
        if (fires is not null && fires.Keys.Any(f => f > lastLayer || f < 3 || !IsFireModule(f) || cuts is null || !cuts.ContainsKey(f - 1) || !TakesFireModuleByHand(f)))
        {
            throw new ArgumentException("A Fire module's gradient is taken by hand only up to the last layer, with a cut after the layer below it, where the kernel applies.", nameof(fires));
        }

        if (pools is not null && pools.Any(p => p > lastLayer || p < 5 || !IsMaxPool(p) || fires is null || !fires.ContainsKey(p - 1)))
        {
            throw new ArgumentException("A later max-pool's gradient is taken by hand only up to the last layer, over a Fire module taken by hand.", nameof(pools));
        }

        if (image.dim() != 4 || image.size(1) != 3)
        {
            throw new ArgumentException($"Expected a normalised image tensor of shape [N,3,H,W]; got [{string.Join(",", image.shape)}].", nameof(image));
        }

        var minimum = MinimumInputSizeFor(lastLayer);
        if (image.size(2) < minimum || image.size(3) < minimum)
        {
            throw new ArgumentException(
                $"The image is {image.size(3)}×{image.size(2)} pixels; SqueezeNet needs at least {minimum}×{minimum} to reach layer {lastLayer} ({Names[lastLayer]}).",
                nameof(image));
        }

        var outputs = new List<Tensor>(lastLayer + 1);
        try
        {
            var first = 0;
            Tensor? stemOutput = null;
            if (stemByHand)
            {
                var (rectified, pooled) = Stem(image, poolByHand);
                outputs.Add(rectified.alias());
                outputs.Add(rectified.alias());
                cuts![1] = rectified;
                stemOutput = rectified;
                first = 2;
                if (pooled is not null)
                {
                    outputs.Add(pooled.alias());
                    cuts[2] = pooled;
                    stemOutput = pooled;
                    first = 3;
                }
            }

            // The layout copy is differentiable, so gradients still reach the caller's (contiguous) image.
            using var input = ChannelsLast && !stemByHand ? ToChannelsLast(image) : null;
            var x = stemOutput ?? input ?? image;
            for (var i = first; i <= lastLayer; i++)
            {
                x = fires is not null && fires.ContainsKey(i) ? FireByHand(i, x, fires)
                    : pools is not null && pools.Contains(i) ? PoolByHand(x)
                    : _layers[i].call(x);
                outputs.Add(x);
                if (cuts is not null && i < lastLayer && cuts.ContainsKey(i))
                {
                    x = x.detach().requires_grad_(true);
                    cuts[i] = x;
                }
            }

            return new FeatureMaps(image, outputs);
        }
        catch
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }

            throw;
        }
    }

    /// <summary>Disposes the network's weights.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _network.Dispose();
        }
    }

    // Same shape, NHWC strides; the caller owns the result.
    private static Tensor ToChannelsLast(Tensor image)
    {
        using var scope = NewDisposeScope();
        return Internal.ChannelsLast.Copy(image).DetachFromDisposeScope();
    }

    private static void LoadWeights(SqueezeNet11Features network, IReadOnlyDictionary<string, WeightTensor> weights, string source)
    {
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var unexpected = weights.Keys
            .Where(k => !k.StartsWith("classifier.", StringComparison.Ordinal) && !parameters.ContainsKey(k))
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();
        if (unexpected.Count > 0)
        {
            throw new WeightFormatException(
                $"{char.ToUpperInvariant(source[0])}{source[1..]} holds tensors that SqueezeNet 1.1 features do not have: {string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", …" : string.Empty)}.");
        }

        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (!weights.TryGetValue(name, out var tensor))
            {
                throw new WeightFormatException($"{char.ToUpperInvariant(source[0])}{source[1..]} lacks the tensor '{name}' (shape [{string.Join(", ", parameter.shape)}]).");
            }

            if (!tensor.Shape.SequenceEqual(parameter.shape))
            {
                throw new WeightFormatException(
                    $"Tensor '{name}' in {source} has shape [{string.Join(", ", tensor.Shape)}]; SqueezeNet 1.1 needs [{string.Join(", ", parameter.shape)}].");
            }

            using var source32 = torch.tensor(tensor.ValuesArray, parameter.shape, ScalarType.Float32);
            parameter.copy_(source32);
        }
    }
}
