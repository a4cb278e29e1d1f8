using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace NeuralStyle.Weights;

/// <summary>
/// The tensors of one weight file, in file order, with the file's name (so that a consumer's shape or key errors can
/// name it) and their size in bytes (for the parsed-weights cache's bound).
/// </summary>
internal sealed class WeightSet : IReadOnlyDictionary<string, WeightTensor>
{
    private readonly IReadOnlyDictionary<string, WeightTensor> _tensors;

    public WeightSet(string source, IReadOnlyDictionary<string, WeightTensor> tensors)
    {
        Source = source;
        _tensors = tensors;
        foreach (var tensor in tensors.Values)
        {
            ByteCount += tensor.Values.Length * (long)sizeof(float);
        }
    }

    /// <summary>Gets the file name or description the tensors were read from.</summary>
    public string Source { get; }

    /// <summary>Gets the bytes the tensors' values take.</summary>
    public long ByteCount { get; }

    public int Count => _tensors.Count;

    public IEnumerable<string> Keys => _tensors.Keys;

    public IEnumerable<WeightTensor> Values => _tensors.Values;

    public WeightTensor this[string key] => _tensors[key];

    /// <summary>Names the source of <paramref name="weights"/> for a message: the quoted file name when it is known.</summary>
    public static string Describe(IReadOnlyDictionary<string, WeightTensor> weights)
        => weights is WeightSet set ? $"the weights file '{set.Source}'" : "the weights";

    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out WeightTensor value) => _tensors.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, WeightTensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
