using TorchSharp;

namespace NeuralStyle.Internal;

/// <summary>Applies <see cref="RuntimeOptions.Threads"/> on a run's worker thread.</summary>
/// <remarks>
/// libtorch (OpenMP build) keeps the intra-op thread count per thread, initialised lazily from a process-wide value at
/// the thread's first parallel operation; <c>set_num_threads</c> sets both the calling thread's count and the process-wide
/// value. Without care, a run that set its own count could have it replaced at its first parallel operation by the
/// value another run set meanwhile. Reading the count first completes that lazy initialisation, so the run keeps the
/// count it sets (or the process-wide value at its start when it sets none).
/// </remarks>
internal static class ThreadSettings
{
    public static void Apply(int? threads)
    {
        _ = torch.get_num_threads();
        if (threads is { } count)
        {
            torch.set_num_threads(count);
        }
    }
}
