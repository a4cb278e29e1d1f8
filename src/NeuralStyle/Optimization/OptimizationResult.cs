using System;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>The outcome of <see cref="StyleTransferOptimizer.Optimize"/>: the optimised image and the final losses.</summary>
public sealed class OptimizationResult : IDisposable
{
    internal OptimizationResult(Tensor image, LossValues finalLosses, int iterations, TimeSpan elapsed)
    {
        Image = image;
        FinalLosses = finalLosses;
        Iterations = iterations;
        Elapsed = elapsed;
    }

    /// <summary>Gets the optimised image, normalised, <c>[N,3,H,W]</c>, on the extractor's device.</summary>
    /// <value>A detached tensor owned by this result; call <see cref="TakeImage"/> to keep it past <see cref="Dispose"/>.</value>
    public Tensor Image { get; private set; }

    /// <summary>
    /// Gets the loss terms evaluated at the last iteration, before its update (as the reference reports them); for L-BFGS, at the
    /// point the run ends on, the lowest loss it evaluated.
    /// </summary>
    /// <value>The final losses.</value>
    public LossValues FinalLosses { get; }

    /// <summary>Gets the number of iterations done.</summary>
    /// <value>The iterations asked for, or fewer when L-BFGS settled (see <see cref="OptimizerOptions.LbfgsTolerance"/>).</value>
    public int Iterations { get; }

    /// <summary>Gets the time the optimisation loop took.</summary>
    /// <value>Wall time, with the device synchronised at the end.</value>
    public TimeSpan Elapsed { get; }

    /// <summary>Transfers ownership of <see cref="Image"/> to the caller.</summary>
    /// <returns>The image tensor, which this result no longer disposes.</returns>
    public Tensor TakeImage()
    {
        var image = Image;
        Image = empty(0);
        return image;
    }

    /// <summary>Disposes the image unless it was taken.</summary>
    public void Dispose() => Image.Dispose();
}
