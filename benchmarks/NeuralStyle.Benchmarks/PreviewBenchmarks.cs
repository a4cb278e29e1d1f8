using BenchmarkDotNet.Attributes;
using NeuralStyle.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// A preview's cost at the service's overhead size (341×256): the library's conversion of the image tensor into a bitmap,
/// against the same arithmetic as six tensor operations (what it was), and the service's JPEG and the result's PNG.
/// </summary>
[MemoryDiagnoser]
public class PreviewBenchmarks
{
    private Tensor _image = null!;
    private Tensor _mean = null!;
    private Tensor _std = null!;
    private SKBitmap _bitmap = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Channels-last, as the optimiser keeps the pixels on the CPU.
        using var contiguous = randn(1, 3, 256, 341);
        _image = contiguous.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).DetachFromDisposeScope();
        _mean = tensor(new[] { ImageTensor.Mean[0], ImageTensor.Mean[1], ImageTensor.Mean[2] }, [3, 1, 1]).DetachFromDisposeScope();
        _std = tensor(new[] { ImageTensor.Std[0], ImageTensor.Std[1], ImageTensor.Std[2] }, [3, 1, 1]).DetachFromDisposeScope();
        _bitmap = ImageTensor.ToBitmap(_image);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _image.Dispose();
        _mean.Dispose();
        _std.Dispose();
        _bitmap.Dispose();
    }

    [Benchmark(Baseline = true, Description = "tensor to bytes, six tensor operations")]
    public int TensorOperations()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var bytes = _image.detach().to(ScalarType.Float32, CPU)[0].mul(_std).add_(_mean).nan_to_num_(0, 1, 0).clamp_(0, 1).mul_(255f).round_()
            .to(ScalarType.Byte).contiguous().data<byte>().ToArray();
        return bytes.Length;
    }

    [Benchmark(Description = "ImageTensor.ToBitmap")]
    public int ToBitmap()
    {
        using var bitmap = ImageTensor.ToBitmap(_image);
        return bitmap.Width;
    }

    [Benchmark(Description = "JPEG, quality 85 (a running job's preview)")]
    public long Jpeg()
    {
        using var data = _bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.Size;
    }

    [Benchmark(Description = "PNG (a result)")]
    public long Png()
    {
        using var data = _bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.Size;
    }
}
