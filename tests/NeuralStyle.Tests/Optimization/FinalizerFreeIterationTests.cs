using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Optimization;

/// <summary>
/// An iteration leaves nothing of TorchSharp's to the garbage collector: no scalar (whose finalizer may free it during a
/// native call that reads it, see Internal.OwnedScalars) and no more tensors than a shorter run. Counted with the runtime's
/// own finalization events, over whole runs of every kind, so that a number converted implicitly anywhere on a run's path
/// (in the library or in a TorchSharp member it calls) fails here.
/// </summary>
[Collection(nameof(SoloTests))]
public sealed class FinalizerFreeIterationTests
{
    private static readonly string ScalarType = typeof(Scalar).FullName!;
    private static readonly string TensorType = typeof(Tensor).FullName!;

    public static TheoryData<string> Kinds => ["adam", "lbfgs", "controls", "controls-lbfgs", "coarse-to-fine", "tiled"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_run_leaves_no_scalar_and_no_more_tensors_per_iteration_to_the_garbage_collector(string kind)
    {
        using var content = SampleImages.Content();
        using var mosaic = SampleImages.Style();
        using var waves = SampleImages.Style("style-waves.png");
        using var left = ControlsKit.SplitMask(64, 48, 32, whiteRight: false);
        using var right = ControlsKit.SplitMask(64, 48, 32);
        var small = ControlsKit.Small(iterations: 2) with { Optimizer = ControlsKit.Small().Optimizer with { ProgressInterval = 1, PreviewInterval = 2 } };
        var options = kind switch
        {
            "adam" => small,
            "lbfgs" => small with { Optimizer = small.Optimizer with { Kind = OptimizerKind.Lbfgs } },
            "controls" => small with { StyleMasks = [left, right], PreserveColors = ColorPreservation.Luminance, Initialization = Initialization.Blend, ContentLayers = [3, 6], StyleScale = 0.5 },
            "controls-lbfgs" => small with { Mask = right, PreserveColors = ColorPreservation.HistogramMatch, Initialization = Initialization.Style, StyleBlendWeights = [1, 2], Optimizer = small.Optimizer with { Kind = OptimizerKind.Lbfgs } },
            "coarse-to-fine" => small with { ImageSize = 64, HighResolution = small.HighResolution with { CoarseSize = 32, CoarseToFine = CoarseToFineMode.On } },
            "tiled" => small with { ImageSize = 96, HighResolution = small.HighResolution with { TileSize = 80, TileOverlap = 16, CoarseToFine = CoarseToFineMode.Off } },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        SKBitmap[] styles = kind.StartsWith("controls", StringComparison.Ordinal) ? [mosaic, waves] : [mosaic];

        using var watch = new FinalizerWatch();
        Run(content, styles, options); // warm-up: lazily created state
        watch.Collect();
        watch.Reset();
        Run(content, styles, options);
        var shortRun = watch.Collect();
        watch.Reset();
        Run(content, styles, options with { Iterations = 8 });
        var longRun = watch.Collect();

        string Counts(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(p => $"{p.Key} {p.Value}"));
        longRun.GetValueOrDefault(ScalarType).Should().Be(0, "no scalar is left to a finalizer ({0})", Counts(longRun));
        shortRun.GetValueOrDefault(ScalarType).Should().Be(0, "no scalar is left to a finalizer ({0})", Counts(shortRun));
        longRun.GetValueOrDefault(TensorType).Should().Be(shortRun.GetValueOrDefault(TensorType), "iterations leave no tensor to a finalizer (8 iterations: {0}; 2: {1})", Counts(longRun), Counts(shortRun));
    }

    private static void Run(SKBitmap content, SKBitmap[] styles, StyleTransferOptions options) => PipelineRun.Run(content, styles, options);
}
