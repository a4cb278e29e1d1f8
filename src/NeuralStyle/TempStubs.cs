// TEMPORARY until the imaging and weights-download branches merge.
#pragma warning disable CS1591, CA1822, IDE0161
using System;
using System.Threading;
using System.Threading.Tasks;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Weights
{
    public sealed class WeightsOptions { public string? Path { get; init; } public bool AllowDownload { get; init; } public Microsoft.Extensions.Logging.ILogger? Logger { get; init; } }
    public sealed class WeightsDownloadException : NeuralStyleException { }
    public static class WeightsLocator
    {
        public static Task<string> ResolveAsync(WeightsOptions? options, IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(options!.Path ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")!);
    }
}
