using System;
using System.Collections.Generic;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.Losses;
using NeuralStyle.Tests.Imaging;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// Tests that read the process-wide live tensor count (<see cref="Tensor.TotalCount"/>) or measure timings run in this
/// collection, which xunit runs on its own, never beside another test.
/// </summary>
[CollectionDefinition(nameof(SoloTests), DisableParallelization = true)]
public sealed class SoloTests : ICollectionFixture<LibTorchThreadsRestorer>;

/// <summary>
/// Puts libtorch's process-wide thread count back after <see cref="SoloTests"/>, whose runs use one thread
/// (<see cref="RobustnessKit.TinySingleThreaded"/>), so that tests running later see the machine's default again.
/// </summary>
public sealed class LibTorchThreadsRestorer : IDisposable
{
    private readonly int _original = OnFreshThread(get_num_threads);

    public void Dispose() => OnFreshThread(() =>
    {
        set_num_threads(_original);
        return 0;
    });

    // A thread that has run nothing yet reports the process-wide value.
    private static int OnFreshThread(Func<int> work)
    {
        var result = 0;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}

/// <summary>Small inputs and options for the robustness tests: tiny images, few iterations, CPU, local weights.</summary>
internal static class RobustnessKit
{
    public static StyleTransferOptions Tiny => StyleTransferTests.Small with { ImageSize = 32, StyleSize = 32, Iterations = 2 };

    /// <summary>
    /// <see cref="Tiny"/> on one libtorch thread, for the many-run tests in <see cref="SoloTests"/> (which xunit runs after
    /// the parallel tests). On a machine whose cores are busy, libtorch's OpenMP threads spin at barriers waiting for each
    /// other and a 32-pixel run takes 0.1–3 s instead of about 15 ms. This sets a process-wide libtorch setting.
    /// </summary>
    public static StyleTransferOptions TinySingleThreaded => Tiny with { Runtime = Tiny.Runtime with { Threads = 1 } };

    /// <summary>A weights path that does not exist: a run that fails with it failed before loading the weights.</summary>
    public static string MissingWeights => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralstyle-no-such-weights.safetensors");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static SKBitmap Content(int width = 40, int height = 32) => TestImages.Noise(width, height, seed: 11);

    public static SKBitmap Style(int width = 36, int height = 36) => TestImages.Noise(width, height, seed: 12);

    public static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>
    /// <see cref="Tensor.TotalCount"/> once earlier tests' garbage has been finalised: a tensor that was dropped without
    /// being disposed leaves the count only when its finaliser runs, which would otherwise happen at a random moment.
    /// </summary>
    public static long SettledTensorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }
}

/// <summary>A pixel loss that counts its evaluations and can misbehave from a given call on.</summary>
internal sealed class ProbeLoss(string name = "probe", double weight = 1e-3) : LossBase(name, [])
{
    private int _calls;

    /// <summary>Gets how often <see cref="LossBase.Compute"/> ran.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets or sets the 1-based call from which the value is NaN.</summary>
    public int NanFromCall { get; set; } = int.MaxValue;

    /// <summary>Gets or sets the 1-based call from which the value stays finite but its gradient is NaN.</summary>
    public int NanGradientFromCall { get; set; } = int.MaxValue;

    /// <summary>Gets or sets the 1-based call from which the loss asks libtorch for an impossible amount of memory.</summary>
    public int ImpossibleAllocationFromCall { get; set; } = int.MaxValue;

    /// <summary>Gets or sets an action run on the worker thread at every call, with the call number.</summary>
    public Action<int>? OnCall { get; set; }

    protected override Tensor ComputeCore(FeatureMaps features)
    {
        var call = Interlocked.Increment(ref _calls);
        OnCall?.Invoke(call);
        var image = features.Image;
        if (call >= ImpossibleAllocationFromCall)
        {
            // 2^45 floats = 128 TiB: refused by the allocator at once, nothing is touched.
            using var huge = empty(1L << 45);
        }

        var value = image.square().mean().mul(weight);
        if (call >= NanFromCall)
        {
            return value.mul(double.NaN);
        }

        if (call >= NanGradientFromCall)
        {
            // sqrt of negative numbers: NaN values replaced by 0, but their NaN gradients flow back (0 · NaN = NaN).
            return value.add(image.sub(1e6).sqrt().nan_to_num(0).sum());
        }

        return value;
    }
}

/// <summary>Collects things to dispose at the end of a test.</summary>
internal sealed class Disposables : IDisposable
{
    private readonly List<IDisposable> _items = [];

    public T Add<T>(T item)
        where T : IDisposable
    {
        _items.Add(item);
        return item;
    }

    public void Dispose()
    {
        foreach (var item in _items)
        {
            item.Dispose();
        }
    }
}
