using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <summary>
/// The gradient at the input of a SqueezeNet Fire module (a 1×1 squeeze to S channels and its ReLU, then a 1×1 and a 3×3
/// expand, each with its ReLU, concatenated) from the gradient at its output, in one pass on the CPU's fused multiply-add
/// vectors. Where autograd runs a dozen of libtorch's operations — two ReLU backward passes over slices of the gradient,
/// the copies that make them dense, three convolutions' backward passes, the sum of the two expands' gradients, the
/// squeeze's ReLU — each a pass over a feature map, this reads the gradient and the output once and writes the input's
/// gradient once, with the squeezed gradient of a few positions kept in registers in between.
/// </summary>
/// <remarks>
/// <para>Row by row, the output's gradient is masked where the rectified output is 0 into a ring of three rows, each with
/// a zero at either end (the 3×3 expand's padding). For a tile of positions, the S-channel gradient at the squeeze's
/// output is the sum over the expand channels of the masked gradient times the transposed weights
/// (<see cref="SqueezedTile"/>): every expand channel at the centre tap (the 1×1 expand and the 3×3's centre), the 3×3's
/// channels at the other 8 taps. That gradient is masked where the squeeze's rectified output is 0 and multiplied by the
/// squeeze's transposed weight, two positions and four vectors of input channels at a time, and written to, or added to,
/// the input's gradient.</para>
/// <para>Ranges of tiles run on libtorch's OpenMP team, as <see cref="FmaKernels"/> explains, cut within rows
/// (<see cref="TileRange"/>) so that two threads get the same work to a tile; each range masks the rows it reaches into
/// and the two beside them, and writes only its own positions, so the result does not depend on the number of
/// threads.</para>
/// </remarks>
internal static unsafe partial class FireGradient
{
    /// <summary>The input channels are worked this many vectors at a time.</summary>
    private const int InputVectors = 4;

    /// <summary>
    /// Gets a value indicating whether the kernel applies to a Fire module with these weights on this thread: float32 CPU
    /// weights <c>[S,Cin,1,1]</c>, <c>[E1,S,1,1]</c> and <c>[E3,S,3,3]</c> with S 16 or 32 and Cin, E1 and E3 multiples of
    /// 64, a usable vector width, and at most <see cref="FmaKernels.MaxLibtorchThreads"/> libtorch threads.
    /// </summary>
    /// <param name="squeeze">The squeeze's weight.</param>
    /// <param name="expand1x1">The 1×1 expand's weight.</param>
    /// <param name="expand3x3">The 3×3 expand's weight.</param>
    public static bool Applies(Tensor squeeze, Tensor expand1x1, Tensor expand3x3) =>
        FmaKernels.IsSupported && FmaKernels.FewLibtorchThreads
        && IsFloatCpu(squeeze) && IsFloatCpu(expand1x1) && IsFloatCpu(expand3x3)
        && squeeze.size(0) is 16 or 32 && squeeze.size(1) % 64 == 0 && squeeze.size(1) > 0 && squeeze.size(2) == 1 && squeeze.size(3) == 1
        && expand1x1.size(1) == squeeze.size(0) && expand1x1.size(0) % 64 == 0 && expand1x1.size(2) == 1 && expand1x1.size(3) == 1
        && expand3x3.size(1) == squeeze.size(0) && expand3x3.size(0) % 64 == 0 && expand3x3.size(2) == 3 && expand3x3.size(3) == 3;

    /// <summary>
    /// The gradient at the input of a Fire module, as a <c>[N,Cin,H,W]</c> tensor with channels-last strides: a new tensor, or
    /// <paramref name="addTo"/> with the gradient added where given.
    /// </summary>
    /// <param name="gradient">The gradient at the module's output, <c>[N,E1+E3,H,W]</c>; with no <paramref name="output"/>, masked by the expands' ReLUs already.</param>
    /// <param name="output">
    /// The module's (rectified) output, the same shape; where it is 0 no gradient passes. Null where
    /// <paramref name="gradient"/> is masked already (<see cref="PoolGradient.AddTo"/> rectifying): the kernel then reads no output.
    /// </param>
    /// <param name="squeezed">The squeeze's rectified output, <c>[N,S,H,W]</c>.</param>
    /// <param name="weights">The module's weights, packed (<see cref="Pack"/>).</param>
    /// <param name="addTo">A dense channels-last <c>[N,Cin,H,W]</c> tensor to add the gradient to, or null for a new one.</param>
    /// <param name="lanes">The vector width; the widest the CPU has by default.</param>
    /// <param name="parts">
    /// The ranges of tiles (<see cref="TileRange"/>: runs of a row's positions) the work is split into on libtorch's team;
    /// null for <see cref="OpenMpTeam.PartsFor"/> the output values.
    /// </param>
    /// <exception cref="ArgumentException">The shapes or layouts do not fit together, or the tensors are too large for the kernel.</exception>
    public static Tensor Compute(Tensor gradient, Tensor? output, Tensor squeezed, PackedFire weights, Tensor? addTo = null, FmaLanes lanes = FmaLanes.Widest, int? parts = null)
    {
        long batch = gradient.size(0), height = gradient.size(2), width = gradient.size(3);
        long[] outputShape = [batch, weights.Expanded, height, width];
        long[] inputShape = [batch, weights.Inputs, height, width];
        if ((output is not null && !Dimensions.Are(output, outputShape)) || !Dimensions.Are(gradient, outputShape)
            || !Dimensions.Are(squeezed, [batch, weights.Squeezed, height, width])
            || (addTo is not null && (!Dimensions.Are(addTo, inputShape) || !ChannelsLast.IsDense(addTo) || (addTo.size(1) > 1 && !ChannelsLast.Is(addTo)))))
        {
            throw new ArgumentException(
                $"The Fire module's gradient [{string.Join(",", gradient.shape)}], output [{string.Join(",", (output ?? gradient).shape)}] and squeezed output [{string.Join(",", squeezed.shape)}] do not fit its weights ({weights.Inputs} → {weights.Squeezed} → {weights.Expanded} channels).");
        }

        // Every tensor is read or written as a span, whose length is an int.
        if (batch * height * width * Math.Max(weights.Expanded, weights.Inputs) * sizeof(float) > int.MaxValue)
        {
            throw new ArgumentException($"A {width}×{height} feature map is too large for the Fire module's own gradient kernel.");
        }

        var wide = FmaKernels.UseWide(lanes) ?? throw new PlatformNotSupportedException("Neither AVX-512F nor AVX2 with FMA is available.");
        using var scope = NewDisposeScope();
        var input = addTo is null ? empty([batch, height, width, weights.Inputs], ScalarType.Float32) : addTo.detach().permute(0, 2, 3, 1);
        var rows = ChannelsLast.DenseNhwc(gradient);
        var keys = output is null ? null : ChannelsLast.DenseNhwc(output);
        var squeezedRows = ChannelsLast.DenseNhwc(squeezed);
        fixed (float* center = weights.Center)
        fixed (float* taps = weights.Taps)
        fixed (float* squeeze = weights.Squeeze)
        fixed (byte* g = rows.bytes)
        fixed (byte* o = keys is null ? null : keys.bytes)
        fixed (byte* q = squeezedRows.bytes)
        fixed (byte* x = input.bytes)
        {
            var ranges = parts ?? OpenMpTeam.PartsFor(height * width * weights.Expanded);
            for (long n = 0; n < batch; n++)
            {
                var positions = n * height * width;
                var problem = new Problem(
                    weights, center, taps, squeeze, (float*)g + (positions * weights.Expanded), o == null ? null : (float*)o + (positions * weights.Expanded),
                    (float*)q + (positions * weights.Squeezed), (float*)x + (positions * weights.Inputs), height, width, addTo is not null);
                var state = new Tiles { Problem = &problem, Wide = wide };
                OpenMpTeam.RunRanges(TileRange.Count(height, width, SqueezedTile.PositionsFor(wide, weights.Squeezed)), ranges, 1, &RunTiles, &state);
            }
        }

        return (addTo is null ? input.permute(0, 3, 1, 2) : addTo).MoveToOuterDisposeScope();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTiles(long first, long end, void* state)
    {
        var tiles = (Tiles*)state;
        tiles->Problem->Run(tiles->Wide, first, end);
    }

    private static bool IsFloatCpu(Tensor weight) => weight.device_type == DeviceType.CPU && weight.dtype == ScalarType.Float32 && weight.dim() == 4;

    private struct Tiles
    {
        public Problem* Problem;
        public bool Wide;
    }
}
