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
    // SqueezeNet 1.1 features up to fire5 (torchvision's definition): conv1 3→64 3×3 stride 2; Fire(in, squeeze, e1, e3) =
    // squeeze 1×1 in→s, expand 1×1 s→e1, expand 3×3 s→e3 (padding 1).
    private static readonly (int Layer, int In, int Squeeze, int Expand1, int Expand3)[] Fires =
        [(3, 64, 16, 64, 64), (4, 128, 16, 64, 64), (6, 128, 32, 128, 128), (7, 256, 32, 128, 128)];

    /// <summary>Counts one iteration's operations by part.</summary>
    /// <param name="height">The image's height.</param>
    /// <param name="width">The image's width.</param>
    /// <param name="styleLayers">The style layers (deepest must be at most 7).</param>
    /// <returns>Operations per part: network, gram (Gram matrices and their gradients), other (content, TV).</returns>
    public static IReadOnlyDictionary<string, double> PerIteration(int height, int width, IReadOnlyList<int> styleLayers)
    {
        var sizes = new Dictionary<int, (long C, long H, long W)>();
        long h = Conv(height), w = Conv(width);
        sizes[0] = sizes[1] = (64, h, w);
        double network = 2.0 * 64 * 3 * 9 * h * w;
        (h, w) = (Pool(h), Pool(w));
        sizes[2] = (64, h, w);
        foreach (var (layer, input, squeeze, e1, e3) in Fires)
        {
            if (layer == 6)
            {
                (h, w) = (Pool(h), Pool(w));
                sizes[5] = (input, h, w);
            }

            network += 2.0 * h * w * ((input * squeeze) + (squeeze * e1) + (squeeze * e3 * 9));
            sizes[layer] = (e1 + e3, h, w);
        }

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

    /// <summary>The CPU's peak single-precision rate: cores × vector lanes × 2 (FMA) × FMA units × clock.</summary>
    /// <returns>The peak in GFLOP/s and how it was computed.</returns>
    public static (double Gflops, string Formula) CpuPeak()
    {
        var info = System.IO.File.Exists("/proc/cpuinfo") ? System.IO.File.ReadAllText("/proc/cpuinfo") : string.Empty;
        var flags = info.Split('\n').FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
        var mhzLine = info.Split('\n').FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
        var ghz = mhzLine is null ? 2.0 : double.Parse(mhzLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) / 1000;
        var lanes = flags.Contains(" avx512f", StringComparison.Ordinal) ? 16 : flags.Contains(" avx2", StringComparison.Ordinal) ? 8 : 4;
        const int FmaUnits = 2;
        var cores = Environment.ProcessorCount;
        var peak = cores * lanes * 2.0 * FmaUnits * ghz;
        return (peak, FormattableString.Invariant($"{cores} cores × {lanes} fp32 lanes × 2 (FMA) × {FmaUnits} FMA units × {ghz:F2} GHz"));
    }

    private static long Conv(long size) => ((size - 3) / 2) + 1;

    private static long Pool(long size) => ((size - 3 + 1) / 2) + 1;
}
