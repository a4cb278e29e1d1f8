using System;
using NeuralStyle.Internal;
using static TorchSharp.torch;

namespace NeuralStyle.Features;

/// <content>The weights as the kernel reads them.</content>
internal static partial class FireGradient
{
    /// <summary>
    /// The weights of a Fire module for which <see cref="Applies"/> holds, as <see cref="Pack"/> lays them out: rows of S
    /// values, the transposed weights a channel of the gradient multiplies.
    /// </summary>
    /// <param name="Center">Per expand channel (the 1×1's, then the 3×3's), its weights at the centre tap.</param>
    /// <param name="Taps">Per tap other than the centre (row-major), per 3×3 channel, its weights at that tap.</param>
    /// <param name="Squeeze">Per squeezed channel, the squeeze's weights for every input channel (Cin values).</param>
    /// <param name="Inputs">The input channels Cin.</param>
    /// <param name="Squeezed">The squeezed channels S.</param>
    /// <param name="Left">The 1×1 expand's channels.</param>
    /// <param name="Right">The 3×3 expand's channels.</param>
    internal sealed record PackedFire(float[] Center, float[] Taps, float[] Squeeze, int Inputs, int Squeezed, int Left, int Right)
    {
        /// <summary>Gets the module's output channels.</summary>
        public int Expanded => Left + Right;
    }

    /// <summary>Packs a Fire module's frozen weights for the kernel.</summary>
    /// <param name="squeeze">The squeeze's weight, <c>[S,Cin,1,1]</c>.</param>
    /// <param name="expand1x1">The 1×1 expand's weight, <c>[E1,S,1,1]</c>.</param>
    /// <param name="expand3x3">The 3×3 expand's weight, <c>[E3,S,3,3]</c>.</param>
    public static PackedFire Pack(Tensor squeeze, Tensor expand1x1, Tensor expand3x3)
    {
        int s = (int)squeeze.size(0), inputs = (int)squeeze.size(1), left = (int)expand1x1.size(0), right = (int)expand3x3.size(0);
        var one = FmaKernels.Values(expand1x1);
        var three = FmaKernels.Values(expand3x3);
        var center = new float[(left + right) * s];
        var taps = new float[8 * right * s];
        one.AsSpan().CopyTo(center);
        for (var c = 0; c < right; c++)
        {
            for (var k = 0; k < s; k++)
            {
                for (var tap = 0; tap < 9; tap++)
                {
                    var value = three[(((c * s) + k) * 9) + tap];
                    if (tap == 4)
                    {
                        center[((left + c) * s) + k] = value;
                    }
                    else
                    {
                        taps[((((tap < 4 ? tap : tap - 1) * right) + c) * s) + k] = value;
                    }
                }
            }
        }

        // [S,Cin,1,1] is already S rows of Cin.
        return new PackedFire(center, taps, FmaKernels.Values(squeeze), inputs, s, left, right);
    }
}
