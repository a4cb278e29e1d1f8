// TEMPORARY until the imaging and weights-download branches merge.
#pragma warning disable CS1591, CA1822
using System;
using System.Threading;
using System.Threading.Tasks;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Imaging
{
    public static class ImageTensor
    {
        public static Tensor FromBitmap(SKBitmap bitmap, int? shorterSide = null) => throw new NotImplementedException();
        public static Tensor FromRgb01(Tensor rgb01) => throw new NotImplementedException();
        public static Tensor ToRgb01(Tensor normalised) => throw new NotImplementedException();
        public static SKBitmap ToBitmap(Tensor normalised) => throw new NotImplementedException();
        public static Tensor Resize(Tensor image, long height, long width) => throw new NotImplementedException();
    }

    public static class ImageFile
    {
        public static SKBitmap Load(string path, ImageLoadOptions? options = null) => throw new NotImplementedException();
        public static void Save(SKBitmap bitmap, string path, int jpegQuality = 95) => throw new NotImplementedException();
    }

    public sealed class ImageLoadOptions { public long MaxPixels { get; init; } }
}

namespace NeuralStyle.Weights
{
    public sealed class WeightsOptions { public string? Path { get; init; } public bool AllowDownload { get; init; } public Microsoft.Extensions.Logging.ILogger? Logger { get; init; } }
    public sealed class WeightsDownloadException : NeuralStyleException { }
    public static class WeightsLocator
    {
        public static Task<string> ResolveAsync(WeightsOptions? options, IProgress<long>? progress, CancellationToken cancellationToken) => Task.FromResult(options!.Path ?? Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS")!);
    }
}
