using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// The style loss as PyTorch's reference writes it, <c>Σ_l w_l Σ (F Fᵀ/(C·H·W) − A_l)²</c>, with its gradient left to
/// autograd: the baseline the library's explicit gradient is compared with.
/// </summary>
internal sealed class AutogradStyleLoss : LossBase
{
    private readonly int[] _layers;
    private readonly Tensor[] _targets;
    private readonly double[] _weights;

    public AutogradStyleLoss(IReadOnlyList<int> layers, IReadOnlyList<Tensor> targets, IReadOnlyList<double> weights)
        : base("style", layers.ToArray())
    {
        _layers = layers.ToArray();
        _targets = targets.Select(Own).ToArray();
        _weights = weights.ToArray();
    }

    protected override Tensor ComputeCore(FeatureMaps features)
    {
        Tensor? total = null;
        for (var i = 0; i < _layers.Length; i++)
        {
            var f = features[_layers[i]];
            long n = f.shape[0], c = f.shape[1], hw = f.shape[2] * f.shape[3];
            var flat = f.reshape(n, c, hw);
            var term = bmm(flat, flat.transpose(1, 2)).div(c * hw).sub(_targets[i]).square().sum().mul(_weights[i]);
            total = total is null ? term : total.add(term);
        }

        return total!;
    }
}
