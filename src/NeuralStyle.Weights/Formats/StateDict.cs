using System;
using System.Collections.Generic;
using NeuralStyle.Weights.Pickle;

namespace NeuralStyle.Weights;

/// <summary>Turns the unpickled object of a PyTorch file into named tensors.</summary>
internal static class StateDict
{
    /// <summary>
    /// Accepts a state dict <c>{name: tensor}</c>, or a checkpoint that wraps one as <c>{'state_dict': {...}}</c>.
    /// Entries that are not tensors (such as a checkpoint's epoch) are skipped; keys of tensors must be strings.
    /// </summary>
    public static IReadOnlyDictionary<string, WeightTensor> Extract(object root, bool bigEndian, WeightReadContext context)
    {
        if (root is not PickleDict dict)
        {
            throw context.Fail($"the pickled object is a {PickleText.TypeName(root)}, not a state dict.");
        }

        if (dict.TryGetValue("state_dict", out var inner) && inner is PickleDict innerDict)
        {
            dict = innerDict;
        }

        var result = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Entries)
        {
            if (value is not TorchTensorRef tensor)
            {
                continue;
            }

            if (key is not string name)
            {
                throw context.Fail($"a tensor has the key {PickleText.Describe(key)}, which is not a string.");
            }

            result.Add(name, tensor.Materialize(name, bigEndian, context));
        }

        return result;
    }
}
