using System;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// A SqueezeNet Fire module's forward pass without a graph, in one pass on the CPU's fused multiply-add vectors: the 1×1
/// squeeze and its ReLU, then the 1×1 and 3×3 expands with their ReLUs written straight into their halves of the output.
/// Where libtorch runs three convolutions, three ReLU passes and a concatenation's copy, each a pass over a feature map,
/// this reads the input once and writes the output once; the squeeze's rectified output, which the backward pass by hand
/// (<see cref="FireGradient"/>) needs, is written beside it.
/// </summary>
/// <remarks>
/// <para>Row by row, the squeeze's output (S channels) is formed into a ring of three rows, each with a zero at either end
/// (the 3×3 expand's padding): for a tile of positions, the sum over the input channels of the input times the squeeze's
/// transposed weight (<see cref="SqueezedTile"/>), plus the bias, rectified. Then each output row is formed from the three
/// squeezed rows around it, a tile of positions (4 with AVX-512, 2 with AVX2) and four vectors of output channels at a
/// time: the bias, plus over the taps (one for the 1×1 expand, nine for the 3×3) and the S squeezed channels, the
/// squeezed value times a row of the expand's weights; rectified and stored.</para>
/// <para>Ranges of tiles run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains, cut within rows
/// (<see cref="TileRange"/>) so that two threads get the same work to a tile: each range squeezes the rows it reaches
/// into and the two beside them in its own ring, and writes only its own positions, so the result does not depend on the
/// number of threads.</para>
/// </remarks>
internal static unsafe partial class FireForward
{
    /// <summary>
    /// Gets a value indicating whether the kernel applies to this module on this thread: where <see cref="FireGradient"/>
    /// applies, with float32 CPU biases.
    /// </summary>
    /// <param name="fire">The module.</param>
    public static bool Applies(FireModule fire) =>
        FireGradient.Applies(fire.SqueezeWeight, fire.Expand1x1Weight, fire.Expand3x3Weight)
        && IsFloatCpu(fire.SqueezeBias) && IsFloatCpu(fire.Expand1x1Bias) && IsFloatCpu(fire.Expand3x3Bias);

    /// <summary>Packs a module's frozen weights and biases for the kernel.</summary>
    /// <param name="fire">The module, for which <see cref="Applies"/> holds.</param>
    public static PackedFire Pack(FireModule fire)
    {
        var squeeze = FmaKernels.Values(fire.SqueezeWeight);
        var one = FmaKernels.Values(fire.Expand1x1Weight);
        var three = FmaKernels.Values(fire.Expand3x3Weight);
        int s = (int)fire.SqueezeWeight.size(0), inputs = (int)fire.SqueezeWeight.size(1);
        int left = (int)fire.Expand1x1Weight.size(0), right = (int)fire.Expand3x3Weight.size(0);
        var squeezeRows = new float[inputs * s];
        for (var k = 0; k < s; k++)
        {
            for (var c = 0; c < inputs; c++)
            {
                squeezeRows[(c * s) + k] = squeeze[(k * inputs) + c];
            }
        }

        // Per tap (the 1×1 expand's one, then the 3×3's nine in row-major order) and squeezed channel, a row of output channels.
        var leftRows = new float[s * left];
        var rightRows = new float[9 * s * right];
        for (var k = 0; k < s; k++)
        {
            for (var c = 0; c < left; c++)
            {
                leftRows[(k * left) + c] = one[(c * s) + k];
            }

            for (var c = 0; c < right; c++)
            {
                for (var tap = 0; tap < 9; tap++)
                {
                    rightRows[(((tap * s) + k) * right) + c] = three[(((c * s) + k) * 9) + tap];
                }
            }
        }

        return new PackedFire(
            squeezeRows, FmaKernels.Values(fire.SqueezeBias!), leftRows, rightRows, [.. FmaKernels.Values(fire.Expand1x1Bias!), .. FmaKernels.Values(fire.Expand3x3Bias!)], inputs, s, left, right);
    }

    /// <summary>
    /// The module's output, <c>[N,E1+E3,H,W]</c>, and its squeeze's rectified output, <c>[N,S,H,W]</c>, both channels-last
    /// and without a graph, for an input <c>[N,Cin,H,W]</c>.
    /// </summary>
    /// <param name="input">The module's input.</param>
    /// <param name="weights">The packed module (<see cref="Pack"/>).</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <param name="parts">
    /// The ranges of tiles (<see cref="TileRange"/>: runs of a row's positions) the work is split into on libtorch's team;
    /// null for <see cref="OpenMpTeam.PartsFor"/> the output values.
    /// </param>
    /// <exception cref="ArgumentException">The input does not fit the module, or is too large for the kernel.</exception>
    public static (Tensor Output, Tensor Squeezed) Compute(Tensor input, PackedFire weights, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        if (input.dim() != 4 || input.size(1) != weights.Inputs || input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"The Fire module takes a float32 CPU input of {weights.Inputs} channels, not [{string.Join(",", input.shape)}].");
        }

        long batch = input.size(0), height = input.size(2), width = input.size(3);
        if (batch * height * width * Math.Max(weights.Expanded, weights.Inputs) * sizeof(float) > int.MaxValue)
        {
            throw new ArgumentException($"A {width}×{height} feature map is too large for the Fire module's own kernel.");
        }

        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        var output = empty([batch, height, width, weights.Expanded], ScalarType.Float32);
        var squeezed = empty([batch, height, width, weights.Squeezed], ScalarType.Float32);
        var rows = ChannelsLast.DenseNhwc(input);
        fixed (float* squeezeRows = weights.SqueezeRows)
        fixed (float* squeezeBias = weights.SqueezeBias)
        fixed (float* leftRows = weights.LeftRows)
        fixed (float* rightRows = weights.RightRows)
        fixed (float* bias = weights.Bias)
        fixed (byte* x = rows.bytes)
        fixed (byte* o = output.bytes)
        fixed (byte* q = squeezed.bytes)
        {
            var ranges = parts ?? OpenMpTeam.PartsFor(height * width * weights.Expanded);
            for (long n = 0; n < batch; n++)
            {
                var positions = n * height * width;
                var problem = new Problem(
                    weights, squeezeRows, squeezeBias, leftRows, rightRows, bias, (float*)x + (positions * weights.Inputs),
                    (float*)o + (positions * weights.Expanded), (float*)q + (positions * weights.Squeezed), height, width);
                var state = new Tiles { Problem = &problem, Wide = wide };
                OpenMpTeam.RunRanges(TileRange.Count(height, width, ExpandPositions(wide)), ranges, 1, &RunTiles, &state);
            }
        }

        return (output.permute(0, 3, 1, 2).MoveToOuterDisposeScope(), squeezed.permute(0, 3, 1, 2).MoveToOuterDisposeScope());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTiles(long first, long end, void* state)
    {
        var tiles = (Tiles*)state;
        tiles->Problem->Run(tiles->Wide, first, end);
    }

    private static bool IsFloatCpu(Tensor? bias) => bias is not null && bias.device_type == DeviceType.CPU && bias.dtype == ScalarType.Float32;

    /// <summary>A Fire module's weights and biases as the kernel reads them.</summary>
    /// <param name="SqueezeRows">Per input channel, its S squeeze weights.</param>
    /// <param name="SqueezeBias">The squeeze's S biases.</param>
    /// <param name="LeftRows">Per squeezed channel, its weights for the 1×1 expand's channels.</param>
    /// <param name="RightRows">Per tap of the 3×3 expand (row-major) and squeezed channel, its weights for the 3×3's channels.</param>
    /// <param name="Bias">The expands' biases, the 1×1's then the 3×3's.</param>
    /// <param name="Inputs">The input channels Cin.</param>
    /// <param name="Squeezed">The squeezed channels S.</param>
    /// <param name="Left">The 1×1 expand's channels.</param>
    /// <param name="Right">The 3×3 expand's channels.</param>
    internal sealed record PackedFire(
        float[] SqueezeRows, float[] SqueezeBias, float[] LeftRows, float[] RightRows, float[] Bias, int Inputs, int Squeezed, int Left, int Right)
    {
        /// <summary>Gets the module's output channels.</summary>
        public int Expanded => Left + Right;
    }

    private struct Tiles
    {
        public Problem* Problem;
        public bool Wide;
    }
}
