using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using NeuralStyle.Features;
using NeuralStyle.HighResolution;
using NeuralStyle.Weights;
using static TorchSharp.torch;

namespace NeuralStyle.Pipeline.Inputs;

/// <summary>
/// The network a run reads features from, as the pipeline sees it: its layers, the smallest input each depth needs, the
/// deepest layer the run reads and the memory its activations take. The one place that chooses between
/// <see cref="RuntimeOptions.FeatureExtractor"/> and the default SqueezeNet 1.1.
/// </summary>
internal sealed class FeatureNetwork
{
    private static readonly Lazy<FeatureNetwork> Default = new(() => new FeatureNetwork(null, SqueezeNetFeatureExtractor.LayerNamesList, SqueezeNetFeatureExtractor.MinimumInputSizeFor));
    private readonly Func<int, int> _minimumUpTo;
    private double[]? _probedDensities;

    private FeatureNetwork(IFeatureExtractor? custom, IReadOnlyList<string> layerNames, Func<int, int> minimumUpTo)
    {
        Custom = custom;
        LayerNames = layerNames;
        _minimumUpTo = minimumUpTo;
    }

    /// <summary>Gets the caller's extractor, or null for the default SqueezeNet 1.1.</summary>
    public IFeatureExtractor? Custom { get; }

    /// <summary>Gets the names of the layers; their count is the number of layers.</summary>
    public IReadOnlyList<string> LayerNames { get; }

    /// <summary>The network of a run.</summary>
    public static FeatureNetwork For(StyleTransferOptions options)
        => options.Runtime.FeatureExtractor is { } custom ? new FeatureNetwork(custom, custom.LayerNames, custom.MinimumInputSizeUpTo) : Default.Value;

    /// <summary>The smallest side an input needs to reach <paramref name="lastLayer"/>.</summary>
    public int MinimumInputSizeUpTo(int lastLayer) => _minimumUpTo(lastLayer);

    /// <summary>The deepest layer any term of the run reads: content layers, style layers and additional losses.</summary>
    public static int DeepestLayer(StyleTransferOptions options)
        => options.AdditionalLosses.SelectMany(l => l.Layers)
            .Concat(options.ResolveContentLayers().Select(l => l.Layer))
            .Concat(options.ResolveStyleLayers().Select(l => l.Layer))
            .Max();

    /// <summary>Checks that every layer the options name exists in this network.</summary>
    /// <exception cref="ArgumentException">A layer index is out of range; the message names the option.</exception>
    public void CheckLayers(StyleTransferOptions options)
    {
        var count = LayerNames.Count;
        var range = $"must be layer indices from 0 to {count - 1} of {(Custom?.Name ?? "squeezenet1_1")}";
        Check((options.ContentLayers ?? [options.ContentLayer]).All(InRange), options.ContentLayers is null ? nameof(StyleTransferOptions.ContentLayer) : nameof(StyleTransferOptions.ContentLayers), range);
        Check(options.StyleLayers.All(InRange), nameof(StyleTransferOptions.StyleLayers), range);
        foreach (var loss in options.AdditionalLosses)
        {
            Check(loss.Layers.All(InRange), nameof(StyleTransferOptions.AdditionalLosses), $"{range}; '{loss.Name}' reads [{string.Join(", ", loss.Layers)}]");
        }

        bool InRange(int layer) => layer >= 0 && layer < count;
    }

    /// <summary>The extractor of a run on <paramref name="device"/>: the caller's, or SqueezeNet 1.1 from <paramref name="weightsPath"/>.</summary>
    public IFeatureExtractor Resolve(Device device, string? weightsPath, CancellationToken cancellationToken)
        => Custom ?? ExtractorCache.Get(WeightCache.Get(weightsPath ?? throw new InvalidOperationException("No weight file was resolved."), cancellationToken), device, cancellationToken);

    /// <summary>Float32 elements kept for backward when optimising an image of the given size up to a layer.</summary>
    public double ActivationElements(long height, long width, int lastLayer, int batch = 1)
        => Custom is null ? MemoryModel.ActivationElements(height, width, lastLayer, batch) : batch * ((12.0 * height * width) + (2 * Density(lastLayer) * height * width));

    /// <summary>Float32 elements held when the style's features are computed without gradients.</summary>
    public double InferenceElements(long height, long width, int lastLayer)
        => Custom is null ? MemoryModel.InferenceElements(height, width, lastLayer) : (3.0 * height * width) + (Density(lastLayer) * height * width);

    // A caller's network is measured once: the feature elements per input pixel of layers 0 to lastLayer, summed.
    private double Density(int lastLayer)
    {
        if (_probedDensities is null)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var side = Math.Max(64, Custom!.MinimumInputSize);
            using var maps = Custom.Extract(zeros(1, 3, side, side, device: Custom.Device), LayerNames.Count - 1);
            _probedDensities = Enumerable.Range(0, maps.Count).Select(i => (double)maps[i].numel() / (side * side)).ToArray();
        }

        return _probedDensities.Take(lastLayer + 1).Sum();
    }

    private static void Check(bool ok, string name, string requirement)
    {
        if (!ok)
        {
            throw new ArgumentException($"StyleTransferOptions.{name} {requirement}.", name);
        }
    }
}
