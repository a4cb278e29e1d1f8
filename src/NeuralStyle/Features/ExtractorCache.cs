using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Weights;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// Keeps frozen <see cref="SqueezeNetFeatureExtractor"/>s per parsed weight file and device, so that runs do not
/// rebuild the network (and do not each leave TorchSharp's per-parameter accounting residue in
/// <see cref="Tensor.TotalCount"/>). Bounded like the parsed weights (least recently used first, by count and by the
/// bytes of the weights they were built from); an evicted extractor is left to the garbage collector, as a run may still use it. The
/// extractors are read-only, so concurrent runs share them safely.
/// </summary>
internal static class ExtractorCache
{
    /// <summary>The most extractors kept.</summary>
    public const int MaxEntries = 4;

    /// <summary>The most bytes of parameters kept.</summary>
    public const long MaxBytes = WeightCache.MaxBytes;

    private static readonly BoundedCache<(IReadOnlyDictionary<string, WeightTensor> Weights, string Device), SqueezeNetFeatureExtractor> Entries =
        new(MaxEntries, MaxBytes, (key, _) => key.Weights is WeightSet set ? set.ByteCount : 0);

    /// <summary>Gets the number of extractors kept now.</summary>
    public static int Count => Entries.Count;

    public static SqueezeNetFeatureExtractor Get(IReadOnlyDictionary<string, WeightTensor> weights, Device device, CancellationToken cancellationToken = default)
        // TorchSharp's modules detach their parameters from the caller's dispose scope, so building one inside a run is safe.
        => Entries.GetOrAdd((weights, device.ToString()), key => SqueezeNetFeatureExtractor.FromWeights(key.Weights, device), cancellationToken);
}
