using System;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Internal;

namespace NeuralStyle.Pipeline;

/// <summary>
/// Where a run's work happens: a thread of its own (TorchSharp's dispose scopes and grad mode are per thread, and the
/// caller is not blocked), with allocation failures translated into <see cref="StyleTransferOutOfMemoryException"/>.
/// </summary>
internal static class DedicatedThread
{
    /// <summary>Runs <paramref name="work"/> on a thread of its own.</summary>
    /// <param name="work">The work.</param>
    /// <param name="setup">The run's setup (its sizes and device name the failure).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="what">What is being done, for an out-of-memory message; null for the run's sizes.</param>
    public static Task<T> Run<T>(Func<T> work, RunSetup setup, CancellationToken cancellationToken, string? what = null)
        => Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return work();
                }
                catch (Exception ex) when (OutOfMemory.Is(ex))
                {
                    throw OutOfMemory.Wrap(ex, what ?? setup.Sizes.Describe(), setup.Device.ToString());
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
}
