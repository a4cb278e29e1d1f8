using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>Runs work with a given libtorch thread count without changing the other tests' count.</summary>
internal static class LibtorchThreads
{
    /// <summary>
    /// Runs <paramref name="work"/> on a thread of its own with <paramref name="threads"/> libtorch threads (the count
    /// belongs to the calling thread) and returns its result; what it throws is thrown here.
    /// </summary>
    public static T Run<T>(int threads, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                set_num_threads(threads);
                result = work();
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
