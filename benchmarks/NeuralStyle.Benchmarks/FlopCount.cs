using System;
using System.Collections.Generic;
using System.Linq;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Floating-point operations of one iteration of the step timer's problem, counted from the layer shapes (a multiply-add
/// is two operations): the network's forward pass and its backward pass to the input (the weights are frozen, so no
/// weight gradients), the Gram matrices and their explicit gradients, and the content and total-variation terms.
/// </summary>
internal static class FlopCount
{
    // SqueezeNet 1.1 features up to fire5 (torchvision's definition): conv1 3→64 3×3 stride 2, ReLU, 3×3 max-pools of
    // stride 2 (ceil mode) at layers 2 and 5; Fire(in, squeeze, e1, e3) = squeeze 1×1 in→s, expand 1×1 s→e1, expand 3×3
    // s→e3 (padding 1), concatenated.
    private static readonly (int Layer, string Name, int In, int Squeeze, int Expand1, int Expand3)[] Fires =
        [(3, "fire2", 64, 16, 64, 64), (4, "fire3", 128, 16, 64, 64), (6, "fire4", 128, 32, 128, 128), (7, "fire5", 256, 32, 128, 128)];

    private static readonly (int Layer, string Name)[] Pools = [(2, "pool1"), (5, "pool3")];

    /// <summary>
    /// The convolutions and max-pools up to fire5 for an image of <paramref name="height"/>×<paramref name="width"/>, in
    /// order, each with its input's size and its forward pass's operations (as many again for the backward pass to its input).
    /// </summary>
    /// <param name="height">The image's height.</param>
    /// <param name="width">The image's width.</param>
    /// <returns>The layers, conv1 to fire5.expand3x3.</returns>
    public static IReadOnlyList<Layer> Layers(int height, int width)
    {
        var sizes = FeatureSizes(height, width);
        var (_, h1, w1) = sizes[0];
        var layers = new List<Layer> { new("conv1", 3, 64, 3, 2, 0, height, width, 2.0 * 64 * 3 * 9 * h1 * w1) };
        for (var index = 2; index <= Fires[^1].Layer; index++)
        {
            var (c, h, w) = sizes[index - 1];
            if (Pools.FirstOrDefault(p => p.Layer == index).Name is { } pool)
            {
                layers.Add(new Layer(pool, (int)c, (int)c, 0, 2, 0, h, w, 0));
                continue;
            }

            var (_, name, input, squeeze, e1, e3) = Fires.Single(f => f.Layer == index);
            layers.Add(new Layer(name + ".squeeze", input, squeeze, 1, 1, 0, h, w, 2.0 * input * squeeze * h * w));
            layers.Add(new Layer(name + ".expand1x1", squeeze, e1, 1, 1, 0, h, w, 2.0 * squeeze * e1 * h * w));
            layers.Add(new Layer(name + ".expand3x3", squeeze, e3, 3, 1, 1, h, w, 2.0 * squeeze * e3 * 9 * h * w));
        }

        return layers;
    }

    /// <summary>Counts one iteration's operations by part.</summary>
    /// <param name="height">The image's height.</param>
    /// <param name="width">The image's width.</param>
    /// <param name="styleLayers">The style layers (deepest must be at most 7).</param>
    /// <returns>Operations per part: network, gram (Gram matrices and their gradients), other (content, TV).</returns>
    public static IReadOnlyDictionary<string, double> PerIteration(int height, int width, IReadOnlyList<int> styleLayers)
    {
        var sizes = FeatureSizes(height, width);
        var network = Layers(height, width).Sum(l => l.Flops);
        double gram = 0;
        foreach (var layer in styleLayers)
        {
            var (c, lh, lw) = sizes[layer];
            gram += 2 * (2.0 * c * c * lh * lw); // G = F Fᵀ, and the gradient (D + Dᵀ) F
        }

        var (cc, ch, cw) = sizes[3];
        var other = (3.0 * cc * ch * cw * 2) + (3.0 * height * width * 8); // content (value and gradient), TV (value and gradient)
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["network"] = 2 * network, // forward, and backward to the input (as many multiply-adds)
            ["gram"] = gram,
            ["other"] = other,
        };
    }

    /// <summary>The output of each feature layer up to fire5 (index 0 to 7) for an image of height×width: channels, height, width.</summary>
    internal static Dictionary<int, (long C, long H, long W)> FeatureSizes(int height, int width)
    {
        var sizes = new Dictionary<int, (long C, long H, long W)>();
        long h = Conv(height), w = Conv(width);
        sizes[0] = sizes[1] = (64, h, w);
        foreach (var (layer, _, input, _, e1, e3) in Fires)
        {
            if (Pools.Any(p => p.Layer == layer - 1))
            {
                (h, w) = (Pool(h), Pool(w));
                sizes[layer - 1] = (input, h, w);
            }

            sizes[layer] = (e1 + e3, h, w);
        }

        return sizes;
    }

    /// <summary>
    /// The fp32 peak of <paramref name="cores"/> cores: measured (<see cref="PeakProbe"/>) where the CPU has FMA
    /// instructions, with the clock it implies at two FMA units per core; otherwise the nominal formula with
    /// /proc/cpuinfo's clock. The formula says which, and what the nominal one would have given.
    /// </summary>
    /// <param name="cores">The cores the measurement it is compared with uses (libtorch's thread count).</param>
    /// <returns>The peak in GFLOP/s and how it was found.</returns>
    public static (double Gflops, string Formula) CpuPeak(int cores)
    {
        var info = System.IO.File.Exists("/proc/cpuinfo") ? System.IO.File.ReadAllText("/proc/cpuinfo") : string.Empty;
        var flags = info.Split('\n').FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
        var mhzLine = info.Split('\n').FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
        var ghz = mhzLine is null ? 2.0 : double.Parse(mhzLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1000;
        var lanes = flags.Contains(" avx512f", StringComparison.Ordinal) ? 16 : flags.Contains(" avx2", StringComparison.Ordinal) ? 8 : 4;
        const int FmaUnits = 2;
        var nominal = cores * lanes * 2.0 * FmaUnits * ghz;
        var measured = PeakProbe.MeasureGflops(cores);
        if (measured <= 0)
        {
            return (nominal, FormattableString.Invariant($"{cores} cores × {lanes} fp32 lanes × 2 (FMA) × {FmaUnits} FMA units × {ghz:F2} GHz (nominal)"));
        }

        var effective = measured / (cores * PeakProbe.Lanes * 2.0 * FmaUnits);
        return (measured, FormattableString.Invariant(
            $"measured: {cores} cores × {PeakProbe.Lanes} fp32 lanes × 2 (FMA) × {FmaUnits} FMA units × {effective:F2} GHz as run (an FMA loop); the base clock in /proc/cpuinfo, {ghz:F2} GHz, would give {nominal:F0}"));
    }

    private static long Conv(long size) => ((size - 3) / 2) + 1;

    private static long Pool(long size) => ((size - 3 + 1) / 2) + 1;

    /// <summary>A convolution (<see cref="Kernel"/> 1 or 3) or a 3×3 max-pool (<see cref="Kernel"/> 0, ceil mode).</summary>
    /// <param name="Name">The layer's name, torchvision's module for convolutions inside a Fire module.</param>
    /// <param name="In">Input channels.</param>
    /// <param name="Out">Output channels.</param>
    /// <param name="Kernel">The convolution's kernel size; 0 for a max-pool.</param>
    /// <param name="Stride">The stride.</param>
    /// <param name="Padding">The convolution's zero padding on each side.</param>
    /// <param name="Height">The input's height.</param>
    /// <param name="Width">The input's width.</param>
    /// <param name="Flops">The forward pass's floating-point operations (0 for a max-pool).</param>
    internal sealed record Layer(string Name, int In, int Out, int Kernel, int Stride, int Padding, long Height, long Width, double Flops);
}
