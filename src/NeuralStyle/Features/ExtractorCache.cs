using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Weights;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// Keeps one frozen <see cref="SqueezeNetFeatureExtractor"/> per parsed weight file and device for the life of the
/// process, so that runs do not rebuild the network (and do not each leave TorchSharp's per-parameter accounting
/// residue in <see cref="Tensor.TotalCount"/>). The extractors are read-only, so concurrent runs share them safely.
/// </summary>
internal static class ExtractorCache
{
    private static readonly ConcurrentDictionary<(IReadOnlyDictionary<string, WeightTensor> Weights, string Device), Lazy<SqueezeNetFeatureExtractor>> Entries = new();

    public static SqueezeNetFeatureExtractor Get(IReadOnlyDictionary<string, WeightTensor> weights, Device device)
    {
        var key = (weights, device.ToString());
        // TorchSharp's modules detach their parameters from the caller's dispose scope, so building one inside a run is safe.
        var entry = Entries.GetOrAdd(key, _ => new Lazy<SqueezeNetFeatureExtractor>(() => SqueezeNetFeatureExtractor.FromWeights(weights, device), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            Entries.TryRemove(new KeyValuePair<(IReadOnlyDictionary<string, WeightTensor>, string), Lazy<SqueezeNetFeatureExtractor>>(key, entry));
            throw;
        }
    }
}
