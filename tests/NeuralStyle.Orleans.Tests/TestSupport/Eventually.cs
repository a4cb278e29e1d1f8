using System;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>Waits for a condition that the cluster reaches by itself (a report, a sweep), failing after a timeout.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            await Task.Delay(100, cts.Token);
        }
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout) => WaitUntilAsync(() => Task.FromResult(condition()), timeout);
}
