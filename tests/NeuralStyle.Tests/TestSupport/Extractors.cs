using System;
using NeuralStyle.Features;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>One CPU SqueezeNet extractor shared by the tests that only read from it.</summary>
internal static class Extractors
{
    private static readonly Lazy<SqueezeNetFeatureExtractor> Shared = new(() => SqueezeNetFeatureExtractor.FromFile(SharedAssets.SafeTensorsWeights));

    public static SqueezeNetFeatureExtractor Cpu
    {
        get
        {
            _ = SharedAssets.SafeTensorsWeights; // skips (or fails under CI) before touching the lazy value
            return Shared.Value;
        }
    }
}
