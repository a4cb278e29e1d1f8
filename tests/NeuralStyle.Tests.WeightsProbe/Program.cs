using System;
using System.Net.Http;
using System.Threading;
using Microsoft.Extensions.Logging;
using NeuralStyle;
using NeuralStyle.Features;
using NeuralStyle.Weights;

// Usage: NeuralStyle.Tests.WeightsProbe <cache folder> <download address> <sha256>
// Resolves the weights like any caller would and writes one line per log event ("event <id>") and the result
// ("path <file>", exit code 0) or the error ("error <exception>", exit code 1) to standard output.
if (args.Length != 3)
{
    Console.WriteLine("error usage: <cache folder> <download address> <sha256>");
    return 2;
}

using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
var weights = new WeightsDescriptor("test", SqueezeNetWeights.FileName, args[2], new Uri(args[1]));
var options = new WeightsOptions
{
    CacheDirectory = args[0],
    HttpClient = http,
    Logger = new EventLineLogger(),
    DownloadTimeout = TimeSpan.FromSeconds(60),
    StallTimeout = TimeSpan.FromSeconds(30),
};
try
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
    var path = await WeightsLocator.ResolveAsync(weights, options, cancellationToken: timeout.Token).ConfigureAwait(false);
    Console.WriteLine($"path {path}");
    return 0;
}
catch (Exception ex) when (ex is NeuralStyleException or OperationCanceledException or System.IO.IOException)
{
    Console.WriteLine($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}

/// <summary>Writes the id of every log event on a line of its own.</summary>
internal sealed class EventLineLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Console.WriteLine($"event {eventId.Id}");
}
