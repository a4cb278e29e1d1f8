using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Internal;
using NeuralStyle.Optimization;
using NeuralStyle.Pipeline.Inputs;
using NeuralStyle.Pipeline.Objective;
using NeuralStyle.Pipeline.Progress;
using NeuralStyle.Pipeline.Stages;
using NeuralStyle.Weights;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline;

/// <summary>
/// A run from validated options to the finished image: <see cref="Prepare"/> checks the sizes and plans the stages before any
/// work; <c>Execute</c> (on the run's own thread) resolves the extractor, prepares the inputs and runs the plan.
/// </summary>
internal static class StyleTransferPipeline
{
    /// <summary>Checks everything that can be checked before work: the options, the sizes after resizing, the layers and the plan.</summary>
    /// <param name="options">The options, or null for the defaults.</param>
    /// <param name="content">The content's size.</param>
    /// <param name="styles">The style images' sizes.</param>
    /// <param name="progress">The caller's progress, or null.</param>
    /// <exception cref="ArgumentException">An option or a size is out of range.</exception>
    /// <exception cref="InsufficientMemoryException"><see cref="HighResolution.HighResolutionOptions.MaxMemoryBytes"/> is too small for the smallest tile.</exception>
    public static RunSetup Prepare(StyleTransferOptions? options, (long Width, long Height) content, IReadOnlyList<(long Width, long Height)> styles, IProgress<StyleTransferProgress>? progress)
    {
        var clock = Stopwatch.StartNew();
        options ??= new StyleTransferOptions();
        var network = Checked(options, styles.Count);
        var sizes = InputSizes.Check(content.Width, content.Height, styles, options, network.MinimumInputSizeUpTo(FeatureNetwork.DeepestLayer(options)));
        return Setup(options, network, sizes, clock, progress);
    }

    /// <summary>Finds the weight file of a run that uses the default network (null for a caller's extractor).</summary>
    public static async Task<string?> ResolveWeightsAsync(RunSetup setup, CancellationToken cancellationToken)
    {
        setup.Progress.Phase(StyleTransferPhase.LoadingWeights);
        var options = setup.Options;
        return options.Runtime.FeatureExtractor is not null
            ? null
            : await WeightsLocator.ResolveAsync(SqueezeNetWeights.Descriptor, options.Weights, progress: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the plan on the calling thread.</summary>
    /// <param name="inputs">The content (normalised, on the CPU, at its working size) and the style loaders.</param>
    /// <param name="setup">What <see cref="Prepare"/> decided.</param>
    /// <param name="weightsPath">The weight file of the default network.</param>
    /// <param name="cancellationToken">Cancels the run between iterations.</param>
    /// <returns>The finished, normalised image on the device and the final losses.</returns>
    public static OptimizationResult Execute(RunInputs inputs, RunSetup setup, string? weightsPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = setup.Options;
        ThreadSettings.Apply(options.Runtime.Threads);
        var extractor = setup.Plan.Network.Resolve(setup.Device, weightsPath, cancellationToken);
        InputSizes.CheckMinimum(inputs.Content, "content", setup.Plan.Network.MinimumInputSizeUpTo(setup.Plan.DeepestLayer));
        var (image, losses) = StagedRun.Run(setup.Plan, inputs, new ObjectiveFactory(extractor, options), options, setup.Progress, cancellationToken);
        return new OptimizationResult(image, losses, setup.Progress.TotalIterations, setup.Clock.Elapsed);
    }

    /// <summary>
    /// Runs images of one working size as one batch on the calling thread; each result has its own losses, evaluated on its
    /// final image (<see cref="PerImageLosses"/>), and the time since <paramref name="clock"/> started.
    /// </summary>
    public static StyleTransferResult[] ExecuteBatch(IReadOnlyList<SKBitmap> contents, SKBitmap style, RunSetup setup, string? weightsPath, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        setup.Progress.Phase(StyleTransferPhase.PreparingInputs);
        var batch = cat(contents.Select(c => ImageTensor.FromBitmap(c, setup.Options.ImageSize)).ToArray(), 0);
        var inputs = new RunInputs(batch, [side => ImageTensor.FromBitmap(style, side)]);
        using var run = Execute(inputs, setup, weightsPath, cancellationToken);
        var perImage = EvaluatePerImage(inputs, setup, weightsPath, run.Image);
        return [.. perImage.Select((losses, k) => new StyleTransferResult(ImageTensor.ToBitmap(run.Image[k]), losses, run.Iterations, clock.Elapsed, run.Image.device.ToString()))];
    }

    /// <summary>Each image's own losses on its final pixels (<see cref="PerImageLosses"/>), for a batch run.</summary>
    private static LossValues[] EvaluatePerImage(RunInputs inputs, RunSetup setup, string? weightsPath, Tensor results)
    {
        var network = setup.Plan.Network;
        var factory = new ObjectiveFactory(network.Resolve(setup.Device, weightsPath, CancellationToken.None), setup.Options);
        return PerImageLosses.Evaluate(factory, inputs, setup.Options, setup.Plan.Stages[^1].StyleSide, network.MinimumInputSizeUpTo(setup.Plan.DeepestLayer), results);
    }

    /// <summary>
    /// A run on a content tensor that is already normalised and at its working size (no size options are applied to it): the
    /// path tests and measurements take past the entry point.
    /// </summary>
    public static OptimizationResult Execute(Tensor content, IReadOnlyList<Func<int?, Tensor>> styleLoaders, StyleTransferOptions options, string weightsPath, IProgress<StyleTransferProgress>? progress, CancellationToken cancellationToken)
    {
        var network = Checked(options, styleLoaders.Count);
        var setup = Setup(options, network, new InputSizes(content.shape[3], content.shape[2], 0, 0), Stopwatch.StartNew(), progress);
        return Execute(new RunInputs(content, styleLoaders), setup, weightsPath, cancellationToken);
    }

    private static FeatureNetwork Checked(StyleTransferOptions options, int styleCount)
    {
        options.ValidateForStyles(styleCount);
        var network = FeatureNetwork.For(options);
        network.CheckLayers(options);
        return network;
    }

    private static RunSetup Setup(StyleTransferOptions options, FeatureNetwork network, InputSizes sizes, Stopwatch clock, IProgress<StyleTransferProgress>? progress)
    {
        var device = options.Runtime.FeatureExtractor?.Device ?? DeviceSelector.Resolve(options.Runtime.Device);
        var cuda = device.type == TorchSharp.DeviceType.CUDA;
        var plan = StagePlan.Create((int)sizes.ContentHeight, (int)sizes.ContentWidth, options, network, cuda);
        options.CheckCheckpoints(plan);
        var reporter = new RunProgress(progress, [.. plan.Stages.Select(s => (s, s.TileCount(options.HighResolution.TileOverlap)))], () => clock.Elapsed, TimingPrior.For(cuda, options.Optimizer.Kind == Optimization.OptimizerKind.Lbfgs));
        return new RunSetup(options, sizes, plan, device, reporter, clock);
    }
}

/// <summary>What a run decided before any work.</summary>
/// <param name="Options">The validated options.</param>
/// <param name="Sizes">The images' sizes after resizing.</param>
/// <param name="Plan">The stages.</param>
/// <param name="Device">The device.</param>
/// <param name="Progress">The run's progress.</param>
/// <param name="Clock">The run's clock, started at <see cref="StyleTransferPipeline.Prepare"/>.</param>
internal sealed record RunSetup(StyleTransferOptions Options, InputSizes Sizes, StagePlan Plan, Device Device, RunProgress Progress, Stopwatch Clock);
