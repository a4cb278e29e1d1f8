using System.Linq;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

internal static class Tensors
{
    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var scope = NewDisposeScope();
        return a.cpu().eq(b.cpu()).all().item<bool>();
    }
}
