using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using NeuralStyle.Internal;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// One Adam step of float32 CPU pixels in one pass over their memory, where libtorch takes eight (two for each moment,
/// three for the denominator, one for the update): the same formula and order as <see cref="PixelAdam"/>'s tensor
/// operations, up to the rounding of a fused multiply-add.
/// </summary>
internal static unsafe class PixelAdamKernel
{
    /// <summary>
    /// Gets a value indicating whether the kernel applies: the pixels, their gradient and both moments are float32 CPU
    /// tensors of one shape, laid out densely (contiguous or channels-last) with the same strides, of at most 2³¹ bytes.
    /// </summary>
    /// <param name="pixels">The optimised pixels.</param>
    /// <param name="gradient">Their gradient.</param>
    /// <param name="firstMoment">The moving average of the gradient.</param>
    /// <param name="secondMoment">The moving average of the squared gradient.</param>
    public static bool Applies(Tensor pixels, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        if (pixels.device_type != DeviceType.CPU || pixels.dtype != ScalarType.Float32 || pixels.numel() * sizeof(float) > int.MaxValue
            || !ChannelsLast.IsDense(pixels))
        {
            return false;
        }

        foreach (var other in (ReadOnlySpan<Tensor>)[gradient, firstMoment, secondMoment])
        {
            if (other.device_type != DeviceType.CPU || other.dtype != ScalarType.Float32 || !Dimensions.Equal(other, pixels)
                || !Dimensions.SameStrides(other, pixels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the pixels one Adam step and updates both moments in place.</summary>
    /// <param name="pixels">The optimised pixels, for which with the others <see cref="Applies"/> holds.</param>
    /// <param name="gradient">Their gradient.</param>
    /// <param name="firstMoment">The moving average of the gradient.</param>
    /// <param name="secondMoment">The moving average of the squared gradient.</param>
    /// <param name="step">The hyperparameters and bias corrections of this step.</param>
    /// <exception cref="ArgumentException">The kernel does not apply to these tensors.</exception>
    public static void Step(Tensor pixels, Tensor gradient, Tensor firstMoment, Tensor secondMoment, AdamStep step)
    {
        if (!Applies(pixels, gradient, firstMoment, secondMoment))
        {
            throw new ArgumentException("The Adam kernel takes float32 CPU pixels, gradient and moments of one shape and one dense layout.");
        }

        using var scope = NewDisposeScope();
        var length = (int)pixels.numel();
        fixed (byte* p = ChannelsLast.MemoryOrder(pixels.detach()).bytes)
        fixed (byte* g = ChannelsLast.MemoryOrder(gradient.detach()).bytes)
        fixed (byte* m = ChannelsLast.MemoryOrder(firstMoment).bytes)
        fixed (byte* v = ChannelsLast.MemoryOrder(secondMoment).bytes)
        {
            // Each element is its own: ranges of whole vectors run on libtorch's OpenMP team.
            var job = new Job { P = (float*)p, G = (float*)g, M = (float*)m, V = (float*)v, Step = step };
            OpenMpTeam.RunRanges(length, OpenMpTeam.PartsFor(length), Vector<float>.Count, &RunRange, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRange(long first, long end, void* state)
    {
        var job = (Job*)state;
        Run(job->P + first, job->G + first, job->M + first, job->V + first, (int)(end - first), job->Step);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(float* p, float* g, float* m, float* v, int length, AdamStep step)
    {
        float beta1 = (float)step.Beta1, keep1 = (float)(1 - step.Beta1), beta2 = (float)step.Beta2, keep2 = (float)(1 - step.Beta2);
        float scale = (float)step.SecondCorrectionRoot, epsilon = (float)step.Epsilon, size = (float)step.StepSize;
        var width = Vector<float>.Count;
        var whole = length / width * width;
        for (var k = 0; k < whole; k += width)
        {
            var gradient = Load(g + k);
            var first = (Load(m + k) * beta1) + (gradient * keep1);
            var second = (Load(v + k) * beta2) + (gradient * gradient * keep2);
            Unsafe.WriteUnaligned(m + k, first);
            Unsafe.WriteUnaligned(v + k, second);
            var denominator = (Vector.SquareRoot(second) / scale) + new Vector<float>(epsilon);
            Unsafe.WriteUnaligned(p + k, Load(p + k) + (size * first / denominator));
        }

        for (var k = whole; k < length; k++)
        {
            var first = (m[k] * beta1) + (g[k] * keep1);
            var second = (v[k] * beta2) + (g[k] * g[k] * keep2);
            (m[k], v[k]) = (first, second);
            p[k] += size * first / ((MathF.Sqrt(second) / scale) + epsilon);
        }
    }

    private static Vector<float> Load(float* source) => Unsafe.ReadUnaligned<Vector<float>>(source);

    private struct Job
    {
        public float* P, G, M, V;
        public AdamStep Step;
    }
}

/// <summary>One Adam step's numbers.</summary>
/// <param name="Beta1">The first moment's decay, β₁.</param>
/// <param name="Beta2">The second moment's decay, β₂.</param>
/// <param name="Epsilon">The denominator's ε.</param>
/// <param name="SecondCorrectionRoot">√(1 − β₂ᵗ), the second moment's bias correction under the root.</param>
/// <param name="StepSize">−rate / (1 − β₁ᵗ): the signed step, with the first moment's bias correction.</param>
internal readonly record struct AdamStep(double Beta1, double Beta2, double Epsilon, double SecondCorrectionRoot, double StepSize);
