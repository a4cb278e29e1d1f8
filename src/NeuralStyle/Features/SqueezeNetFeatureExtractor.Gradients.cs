using System.Collections.Generic;
using NeuralStyle.Internal;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <content>
/// The layers whose gradient a step's backward pass takes by hand on the CPU's vectors: the stem (<see cref="StemGradient"/>),
/// the max-pools (<see cref="PoolGradient"/>) and the Fire modules (<see cref="FireGradient"/>), computed forward
/// without a graph.
/// </content>
public sealed partial class SqueezeNetFeatureExtractor
{
    // conv1's weight as StemGradient reads it, packed at the first use: the weights are frozen. Two threads that race here
    // pack the same values twice.
    private StemGradient.PackedKernel? _stemKernel;

    // conv1's weight and bias as StemForward reads them; the same race as above.
    private StemForward.PackedStem? _stemForward;

    // The Fire modules' weights as FireGradient reads them, packed at the first use, by layer; the same race as above.
    private readonly FireGradient.PackedFire?[] _fireKernels = new FireGradient.PackedFire?[LayerCount];

    // The same for FireForward.
    private readonly FireForward.PackedFire?[] _fireForwards = new FireForward.PackedFire?[LayerCount];

    /// <summary>
    /// Gets a value indicating whether a step can take the stem (layers 0 and 1) by hand, forward with
    /// <see cref="StemForward"/> and backward with <see cref="StemGradient"/>, and the gradient of the first max-pool (layer 2)
    /// with <see cref="PoolGradient"/>: on channels-last memory, where the kernels apply (the pool's wherever the
    /// convolution's do: 64 float32 CPU channels, the same vectors).
    /// </summary>
    internal bool TakesStemGradientByHand => ChannelsLast && StemGradient.Applies(StemWeight) && StemForward.Applies(StemWeight, StemBias);

    /// <summary>Gets <c>conv1</c>'s weight, <c>[64,3,3,3]</c>; owned by the network.</summary>
    internal Tensor StemWeight => ((Conv2d)_layers[0]).weight!;

    /// <summary>Gets <c>conv1</c>'s bias, <c>[64]</c>; owned by the network.</summary>
    internal Tensor? StemBias => ((Conv2d)_layers[0]).bias;

    /// <summary>
    /// The gradient at the image of the stem whose rectified output is <paramref name="rectified"/> and whose gradient there
    /// is <paramref name="gradient"/>; with no <paramref name="rectified"/>, <paramref name="gradient"/> is the gradient at
    /// the convolution's output, masked by the ReLU already (<see cref="PoolInputGradient"/> rectifying).
    /// </summary>
    internal Tensor StemImageGradient(Tensor gradient, Tensor? rectified, Tensor image) =>
        StemGradient.Compute(gradient, rectified, _stemKernel ??= StemGradient.Pack(StemWeight), image.size(2), image.size(3));

    /// <summary>
    /// The gradient at the input of the max-pool at <paramref name="layer"/> (2, 5 or 8) from the gradient at its output,
    /// added to <paramref name="addTo"/> where given (shaped and laid out as the layer below's output), else to zeros, and
    /// the sum taken on through the ReLU whose output the pool's input is (0 where that output is; every pool's input is a
    /// ReLU's, the stem's or a Fire module's expands'), as <see cref="StemImageGradient"/> and
    /// <see cref="FireInputGradient"/> take it without the rectified output.
    /// </summary>
    internal static Tensor PoolInputGradient(int layer, Tensor outputGradient, FeatureMaps features, Tensor? addTo)
    {
        var sum = addTo ?? zeros_like(features[layer - 1]);
        try
        {
            PoolGradient.AddTo(sum, outputGradient, features[layer - 1], features[layer], rectify: true);
            return sum;
        }
        catch
        {
            if (addTo is null)
            {
                sum.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Gets a value indicating whether a step can take the Fire module at <paramref name="layer"/> by hand, forward
    /// (<see cref="FireForward"/>) and backward (<see cref="FireGradient"/>): on channels-last memory, where the kernels apply.
    /// </summary>
    internal bool TakesFireModuleByHand(int layer) => ChannelsLast && _layers[layer] is FireModule fire && FireForward.Applies(fire);

    /// <summary>
    /// The gradient at the input of the Fire module at <paramref name="layer"/> whose output's gradient is
    /// <paramref name="gradient"/>, added to <paramref name="addTo"/> where given (see <see cref="FireGradient.Compute"/>);
    /// with no <paramref name="output"/>, <paramref name="gradient"/> is masked by the module's ReLUs already
    /// (<see cref="PoolInputGradient"/> rectifying).
    /// </summary>
    internal Tensor FireInputGradient(int layer, Tensor gradient, Tensor? output, Tensor squeezed, Tensor? addTo)
    {
        var fire = (FireModule)_layers[layer];
        var packed = _fireKernels[layer] ??= FireGradient.Pack(fire.SqueezeWeight, fire.Expand1x1Weight, fire.Expand3x3Weight);
        return FireGradient.Compute(gradient, output, squeezed, packed, addTo);
    }

    // A Fire module taken by hand (FireForward), without a graph: its output a leaf that requires a gradient, its squeeze's
    // output kept in fires.
    private Tensor FireByHand(int layer, Tensor input, IDictionary<int, Tensor?> fires)
    {
        var (output, squeezed) = FireForward.Compute(input, _fireForwards[layer] ??= FireForward.Pack((FireModule)_layers[layer]));
        fires[layer] = squeezed;
        return output.requires_grad_(true);
    }

    // A later max-pool taken by hand (PoolForward; its gradient by PoolGradient), without a graph: its output a leaf that
    // requires a gradient.
    private static Tensor PoolByHand(Tensor input) => PoolForward.Compute(input).requires_grad_(true);

    // Layers 0 and 1 (StemForward), and 2 with the pool (PoolForward), without a graph, on channels-last memory: the
    // rectified output and the pool's, leaves that require a gradient, owned by the caller.
    private (Tensor Rectified, Tensor? Pooled) Stem(Tensor image, bool withPool)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rectified = StemForward.Compute(image, _stemForward ??= StemForward.Pack(StemWeight, StemBias!));
        var pooled = withPool ? PoolForward.Compute(rectified).requires_grad_(true).DetachFromDisposeScope() : null;
        return (rectified.detach().requires_grad_(true).DetachFromDisposeScope(), pooled);
    }
}
