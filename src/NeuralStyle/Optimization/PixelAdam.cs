using System;
using NeuralStyle.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// Adam (Kingma and Ba) on the optimised pixels with PyTorch's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay) and
/// PyTorch's order of operations, step for step what <c>torch.optim.Adam</c> computes. The library's own rather than
/// TorchSharp's, whose step converts numbers into scalars left to the garbage collector (see <see cref="OwnedScalars"/>):
/// this one owns its moment estimates and every scalar it passes. Dispose it.
/// </summary>
internal sealed class PixelAdam : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly Parameter _pixels;
    private readonly OwnedScalars _scalars = new();

    /// <summary>Initializes a new instance of the <see cref="PixelAdam"/> class with zero moments, at step 0.</summary>
    /// <param name="pixels">The optimised pixels; not disposed.</param>
    /// <param name="rate">The learning rate.</param>
    public PixelAdam(Parameter pixels, double rate)
    {
        _pixels = pixels;
        Rate = rate;
        using var noGrad = no_grad();
        FirstMoment = zeros_like(pixels).DetachFromDisposeScope();
        SecondMoment = zeros_like(pixels).DetachFromDisposeScope();
    }

    /// <summary>Gets the learning rate.</summary>
    public double Rate { get; }

    /// <summary>
    /// Gets a value indicating whether float32 CPU pixels take their step in one pass (<see cref="PixelAdamKernel"/>) rather
    /// than in libtorch's tensor operations; true but in tests that compare the two.
    /// </summary>
    public bool UsesKernel { get; init; } = true;

    /// <summary>Gets or sets the number of steps taken (the bias corrections depend on it).</summary>
    public long Steps { get; set; }

    /// <summary>Gets the moving average of the gradient, shaped and laid out like the pixels.</summary>
    public Tensor FirstMoment { get; }

    /// <summary>Gets the moving average of the squared gradient, shaped and laid out like the pixels.</summary>
    public Tensor SecondMoment { get; }

    /// <summary>Zeroes the pixels' gradient, if they have one, before the next backward pass accumulates into it.</summary>
    public void ZeroGradient()
    {
        using var gradient = _pixels.grad;
        gradient?.zero_();
    }

    /// <summary>Moves the pixels one step along their gradient (none if they have no gradient).</summary>
    /// <param name="given">The gradient, shaped like the pixels; null for the pixels' <c>grad</c>. Not disposed.</param>
    public void Step(Tensor? given = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gradient = given ?? _pixels.grad;
        if (gradient is null)
        {
            return;
        }

        Steps++;
        var firstCorrection = 1 - Math.Pow(Beta1, Steps);
        var secondCorrection = 1 - Math.Pow(Beta2, Steps);
        if (UsesKernel && PixelAdamKernel.Applies(_pixels, gradient, FirstMoment, SecondMoment))
        {
            PixelAdamKernel.Step(_pixels, gradient, FirstMoment, SecondMoment, new AdamStep(Beta1, Beta2, Epsilon, Math.Sqrt(secondCorrection), -(Rate / firstCorrection)));
            return;
        }

        FirstMoment.mul_(_scalars[Beta1]).add_(gradient, _scalars[1 - Beta1]);
        SecondMoment.mul_(_scalars[Beta2]).addcmul_(gradient, gradient, _scalars[1 - Beta2]);
        using var secondScale = Math.Sqrt(secondCorrection).ToScalar();
        var denominator = SecondMoment.sqrt().div_(secondScale).add_(_scalars[Epsilon], OwnedScalars.One);
        using var stepSize = (-(Rate / firstCorrection)).ToScalar();
        _pixels.addcdiv_(FirstMoment, denominator, stepSize);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        FirstMoment.Dispose();
        SecondMoment.Dispose();
        _scalars.Dispose();
    }
}
