using System;
using NeuralStyle.Pipeline.Inputs;

namespace NeuralStyle.HighResolution;

/// <summary>
/// Predicts the peak memory of optimising an image from the sizes of the network's activations (SqueezeNet's, below;
/// a caller's network is measured, see <see cref="FeatureNetwork"/>): every layer output up
/// to the deepest layer used is kept for backpropagation (Fire modules also keep their squeeze and expand outputs,
/// pools their indices), plus the pixels, their gradient and Adam's two moments.
/// </summary>
/// <remarks>
/// The CPU constants were fitted to peak resident memory over the process's baseline measured with libtorch 2.10 on Linux
/// x64 (two threads, <c>neural-style memory --measure</c>, 256×192 to 1365×1024, whole and tiled): about 40 MB plus 1.5
/// bytes of working memory per byte of kept activations when the backward pass runs by stretches (refitted when the Fire
/// modules' passes were taken by hand, which keep neither their graph nor their expands' outputs), 2.35 when it runs
/// through one graph (gradients and allocator slack); docs/high-resolution.md has the measurements.
/// </remarks>
internal static class MemoryModel
{
    public const long CpuFixedBytes = 40L << 20;
    public const double CpuFactor = 2.35;
    public const double CpuFactorByStretches = 1.5;
    public const long CudaFixedBytes = 64L << 20;
    public const double CudaFactor = 2.0;

    // Per SqueezeNet 1.1 layer: kind and channel counts (squeeze, expand) for Fire modules.
    private static readonly (char Kind, int Channels, int Squeeze, int Expand)[] Layers =
    [
        ('c', 64, 0, 0), ('r', 64, 0, 0), ('p', 64, 0, 0),
        ('f', 128, 16, 64), ('f', 128, 16, 64), ('p', 128, 0, 0),
        ('f', 256, 32, 128), ('f', 256, 32, 128), ('p', 256, 0, 0),
        ('f', 384, 48, 192), ('f', 384, 48, 192), ('f', 512, 64, 256), ('f', 512, 64, 256),
    ];

    /// <summary>Float32 elements kept for backward when optimising an image of the given size up to a layer.</summary>
    public static double ActivationElements(long height, long width, int lastLayer, int batch = 1)
        => batch * Walk(height, width, lastLayer, imagePlanes: 12, (kind, channels, squeeze, expand, area) => kind switch
        {
            'c' => channels * area,
            'p' => 3.0 * channels * area,                   // output plus int64 indices
            'f' => (squeeze + (4.0 * expand)) * area,       // squeeze, both expands, their concatenation
            _ => 0,                                         // in-place ReLU: shares the convolution's output
        });

    /// <summary>Float32 elements held when features are computed without gradients and every layer's output is kept (style targets).</summary>
    public static double InferenceElements(long height, long width, int lastLayer)
        => Walk(height, width, lastLayer, imagePlanes: 3, (kind, channels, _, _, area) => kind == 'r' ? 0 : channels * area);

    // Follows the spatial size through the layers and adds up what each one holds; the image itself counts as
    // imagePlanes planes (12 when optimising: pixels, gradient, Adam's two moments, total-variation temporaries).
    private static double Walk(long height, long width, int lastLayer, int imagePlanes, Func<char, int, int, int, double, double> held)
    {
        double h = height, w = width;
        var total = imagePlanes * h * w;
        for (var i = 0; i <= Math.Min(lastLayer, Layers.Length - 1); i++)
        {
            var (kind, channels, squeeze, expand) = Layers[i];
            if (kind is 'c' or 'p')
            {
                // Convolution 3×3 stride 2 (floor); max-pool 3×3 stride 2 with ceil_mode.
                h = kind == 'c' ? Math.Floor((h - 3) / 2) + 1 : Math.Ceiling((h - 3) / 2) + 1;
                w = kind == 'c' ? Math.Floor((w - 3) / 2) + 1 : Math.Ceiling((w - 3) / 2) + 1;
            }

            total += held(kind, channels, squeeze, expand, h * w);
        }

        return total;
    }

    /// <summary>Peak bytes of a run: the larger of the optimisation and of computing the style targets (all layers kept, no gradients).</summary>
    /// <param name="network">The network the run reads.</param>
    /// <param name="height">The height of what is optimised (the image or a tile).</param>
    /// <param name="width">Its width.</param>
    /// <param name="styleHeight">The height the style is read at.</param>
    /// <param name="styleWidth">The width the style is read at.</param>
    /// <param name="lastLayer">The deepest layer the run reads.</param>
    /// <param name="byStretches">Whether the backward pass runs by stretches (<see cref="Optimization.SegmentedBackward"/>) rather than through one graph.</param>
    /// <param name="batch">The images optimised together.</param>
    public static long CpuBytes(FeatureNetwork network, long height, long width, long styleHeight, long styleWidth, int lastLayer, bool byStretches, int batch = 1)
        => CpuFixedBytes + (long)Math.Max((byStretches ? CpuFactorByStretches : CpuFactor) * 4 * network.ActivationElements(height, width, lastLayer, batch), 4 * network.InferenceElements(styleHeight, styleWidth, lastLayer));

    /// <summary>Peak bytes of a run on a CUDA device.</summary>
    public static long CudaBytes(FeatureNetwork network, long height, long width, long styleHeight, long styleWidth, int lastLayer, int batch = 1)
        => CudaFixedBytes + (long)Math.Max(CudaFactor * 4 * network.ActivationElements(height, width, lastLayer, batch), 4 * network.InferenceElements(styleHeight, styleWidth, lastLayer));
}
