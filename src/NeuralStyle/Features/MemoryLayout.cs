using System;

namespace NeuralStyle.Features;

/// <summary>
/// The memory layout the calling thread asks the feature extractor for. Channels-last (NHWC) memory halves the network's
/// time on the CPU but sums in another order; TorchSharp's L-BFGS has no line search, and at small sizes such rounding
/// differences decide whether a step lands far uphill, so L-BFGS runs keep the contiguous layout they were validated with.
/// </summary>
internal static class MemoryLayout
{
    [ThreadStatic]
    private static int _contiguousScopes;

    /// <summary>Gets a value indicating whether the calling thread asked for contiguous memory.</summary>
    public static bool ContiguousRequested => _contiguousScopes > 0;

    /// <summary>Asks for contiguous memory on the calling thread until the returned scope is disposed.</summary>
    /// <returns>The scope.</returns>
    public static ContiguousScope PreferContiguous()
    {
        _contiguousScopes++;
        return new ContiguousScope(true);
    }

    /// <summary>Ends a request for contiguous memory when disposed.</summary>
    internal readonly struct ContiguousScope(bool active) : IDisposable
    {
        /// <summary>Ends the request.</summary>
        public void Dispose()
        {
            if (active)
            {
                _contiguousScopes--;
            }
        }
    }
}
