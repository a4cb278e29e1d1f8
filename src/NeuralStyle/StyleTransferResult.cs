using System;
using NeuralStyle.Internal;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle;

/// <summary>What every style-transfer result reports besides the image.</summary>
public abstract class StyleTransferResultBase : IDisposable
{
    private protected StyleTransferResultBase(LossValues finalLosses, int iterations, TimeSpan elapsed, string device)
    {
        FinalLosses = Guard.NotNull(finalLosses);
        Iterations = iterations;
        Elapsed = elapsed;
        Device = device;
    }

    /// <summary>Gets the loss terms at the last iteration (evaluated before its update, as the reference reports them).</summary>
    /// <value>Content, style, total-variation and custom terms with their total.</value>
    public LossValues FinalLosses { get; }

    /// <summary>Gets the number of iterations done.</summary>
    /// <value>The iterations.</value>
    public int Iterations { get; }

    /// <summary>Gets the wall time of the whole run, loading included.</summary>
    /// <value>The elapsed time.</value>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets the device the optimisation ran on.</summary>
    /// <value>For example <c>cpu</c> or <c>cuda:0</c>.</value>
    public string Device { get; }

    /// <summary>Releases the image.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the image.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected abstract void Dispose(bool disposing);
}

/// <summary>The result of <see cref="StyleTransfer.RunAsync(SKBitmap, SKBitmap, StyleTransferOptions?, IProgress{StyleTransferProgress}?, System.Threading.CancellationToken)"/>.</summary>
public sealed class StyleTransferResult : StyleTransferResultBase
{
    internal StyleTransferResult(SKBitmap image, LossValues finalLosses, int iterations, TimeSpan elapsed, string device)
        : base(finalLosses, iterations, elapsed, device)
    {
        Image = image;
    }

    /// <summary>Gets the stylised image.</summary>
    /// <value>An opaque 8-bit RGBA bitmap owned by this result (disposed with it).</value>
    public SKBitmap Image { get; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Image.Dispose();
        }
    }
}

/// <summary>The result of <see cref="StyleTransfer.RunAsync(Tensor, Tensor, StyleTransferOptions?, IProgress{StyleTransferProgress}?, System.Threading.CancellationToken)"/>.</summary>
public sealed class TensorStyleTransferResult : StyleTransferResultBase
{
    internal TensorStyleTransferResult(Tensor image, LossValues finalLosses, int iterations, TimeSpan elapsed, string device)
        : base(finalLosses, iterations, elapsed, device)
    {
        Image = image;
    }

    /// <summary>Gets the stylised image: <c>[1,3,H,W]</c> float32, RGB in [0, 1], on the content tensor's device.</summary>
    /// <value>A tensor owned by this result (disposed with it).</value>
    public Tensor Image { get; }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Image.Dispose();
        }
    }
}
