using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Losses;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>The golden trajectory's problem: image A, content target B at layer 3, style targets Gram(B) at 1,4,6,7.</summary>
internal sealed class GoldenProblem : IDisposable
{
    private readonly List<LossBase> _losses;

    public GoldenProblem(double contentWeight = 5e-2, double[]? styleWeights = null, double tvWeight = 5e-2)
    {
        int[] layers = [1, 4, 6, 7];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Image = Golden.InputA().DetachFromDisposeScope();
        using var b = Golden.InputB();
        using var fb = Extractors.Cpu.Extract(b, 7);
        _losses =
        [
            new ContentLoss(3, fb[3], contentWeight),
            new StyleLoss(layers, layers.Select(l => GramMatrix.Compute(fb[l])).ToArray(), styleWeights ?? [20000, 500, 12, 1]),
            new TotalVariationLoss(tvWeight),
        ];
    }

    public Tensor Image { get; }

    public IReadOnlyList<ILoss> Losses => _losses;

    public void Dispose()
    {
        Image.Dispose();
        foreach (var loss in _losses)
        {
            loss.Dispose();
        }
    }
}

/// <summary>
/// Collects progress reports synchronously (System.Progress would post them to the thread pool): <see cref="Reports"/> holds
/// the optimisation's reports, <see cref="All"/> every report, phases included.
/// </summary>
internal sealed class ProgressLog : IProgress<StyleTransferProgress>
{
    private readonly List<StyleTransferProgress> _reports = [];
    private readonly List<StyleTransferProgress> _all = [];
    private readonly object _gate = new();

    public IReadOnlyList<StyleTransferProgress> All
    {
        get
        {
            lock (_gate)
            {
                return _all.ToArray();
            }
        }
    }

    public IReadOnlyList<StyleTransferProgress> Reports
    {
        get
        {
            lock (_gate)
            {
                return _reports.ToArray();
            }
        }
    }

    public Action<StyleTransferProgress>? OnReport { get; set; }

    public void Report(StyleTransferProgress value)
    {
        lock (_gate)
        {
            _all.Add(value);
            if (value.Phase != StyleTransferPhase.Optimizing)
            {
                return;
            }

            _reports.Add(value);
        }

        OnReport?.Invoke(value);
    }
}
