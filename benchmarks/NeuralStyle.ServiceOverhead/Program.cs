using System;
using System.Globalization;
using System.Threading.Tasks;
using NeuralStyle.ServiceOverhead;

// The cost of the distributed path over a plain RunAsync: the same job run both ways, in pairs of alternating order.
// Usage and method: docs/scaling.md ("The service's cost"). Exit code 1 when the two paths' results differ.
try
{
    var arguments = RunnerArguments.Parse(args);
    return await OverheadRunner.RunAsync(arguments).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Stopped before the measurement ended; nothing reported.");
    return 130;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Usage: {RunnerArguments.Usage}"));
    return 2;
}
