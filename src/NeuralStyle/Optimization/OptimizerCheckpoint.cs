using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralStyle.Optimization;

/// <summary>
/// Everything an Adam optimisation needs to go on exactly where it stopped: the pixels after <see cref="Iteration"/> iterations,
/// Adam's first and second moment estimates and step count, and the learning rate in force (the schedule's position).
/// Resumed with the same settings and losses, a run ends on the same image as a run that was never interrupted.
/// </summary>
/// <remarks>
/// Take checkpoints with <see cref="StyleTransferOptimizer.CheckpointInterval"/> or <see cref="StyleTransferOptions.CheckpointInterval"/> (they come with the progress reports, see
/// <see cref="StyleTransferProgress.Checkpoint"/>) and resume with <see cref="StyleTransferOptimizer.ResumeFrom"/> or
/// <see cref="StyleTransferOptions.ResumeFrom"/>. <see cref="ToBytes"/> and <see cref="FromBytes"/> store one in
/// <see cref="BytesPerElement"/> bytes per pixel and channel plus a small header.
/// </remarks>
public sealed partial class OptimizerCheckpoint
{
    private readonly float[] _pixels;
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;
    private readonly long[] _shape;

    private OptimizerCheckpoint(int iteration, double learningRate, long adamStep, long[] shape, float[] pixels, float[] firstMoment, float[] secondMoment)
    {
        Iteration = iteration;
        LearningRate = learningRate;
        AdamStep = adamStep;
        _shape = shape;
        _pixels = pixels;
        _firstMoment = firstMoment;
        _secondMoment = secondMoment;
    }

    /// <summary>Gets the number of iterations done when the checkpoint was taken.</summary>
    /// <value>At least 1.</value>
    public int Iteration { get; }

    /// <summary>Gets the learning rate of the optimiser in force at the last iteration done.</summary>
    /// <value>A finite, positive rate.</value>
    public double LearningRate { get; }

    /// <summary>Gets the number of steps Adam took since its moments were last reset (a rate change starts a fresh optimiser).</summary>
    /// <value>From 0 to <see cref="Iteration"/>.</value>
    public long AdamStep { get; }

    /// <summary>Gets the shape of the optimised image, <c>[N,3,H,W]</c>.</summary>
    /// <value>Four positive lengths.</value>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Checks that a run with <paramref name="options"/> and <paramref name="iterations"/> on an image of <paramref name="shape"/> can go on from this checkpoint.</summary>
    /// <param name="options">The run's optimiser options.</param>
    /// <param name="iterations">The run's number of iterations.</param>
    /// <param name="shape">The shape of the run's image.</param>
    /// <param name="optionName">The option that holds the checkpoint, named in the message.</param>
    /// <exception cref="ArgumentException">The checkpoint belongs to another kind of run; the message says how.</exception>
    internal void CheckFits(OptimizerOptions options, int iterations, IReadOnlyList<long> shape, string optionName)
    {
        Check(options.Kind == OptimizerKind.Adam, optionName, $"needs the Adam optimiser (got {options.Kind})");
        Check(shape.SequenceEqual(_shape), optionName, $"holds an image of shape [{string.Join(",", _shape)}] but the run optimises [{string.Join(",", shape)}]");
        Check(Iteration < iterations, optionName, $"was taken after {Iteration} iterations; the run has only {iterations}");
        Check(options.LearningRateAt(Iteration - 1, iterations) == LearningRate, optionName, $"was taken at learning rate {LearningRate}, but the run's schedule has {options.LearningRateAt(Iteration - 1, iterations)} at iteration {Iteration - 1}");
    }

    /// <summary>Takes a checkpoint of a running Adam optimisation after <paramref name="iteration"/> iterations.</summary>
    internal static OptimizerCheckpoint Capture(int iteration, double learningRate, Parameter pixels, PixelAdam optimizer)
    {
        using var scope = NewDisposeScope();
        return new OptimizerCheckpoint(iteration, learningRate, optimizer.Steps, pixels.shape, Floats(pixels), Floats(optimizer.FirstMoment), Floats(optimizer.SecondMoment));
    }

    /// <summary>Puts the checkpoint's pixels and moments into a fresh run's pixels and optimiser.</summary>
    internal void Restore(Parameter pixels, PixelAdam optimizer)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        pixels.copy_(tensor(_pixels).reshape(_shape));
        optimizer.FirstMoment.copy_(tensor(_firstMoment).reshape(_shape));
        optimizer.SecondMoment.copy_(tensor(_secondMoment).reshape(_shape));
        optimizer.Steps = AdamStep;
    }

    /// <summary>The values as floats, in one block copy out of the tensor's memory (not element by element).</summary>
    private static float[] Floats(Tensor values)
    {
        var floats = values.detach().to(float32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(floats.bytes).ToArray();
    }

    private static void Check(bool ok, string optionName, string problem)
    {
        if (!ok)
        {
            throw new ArgumentException($"{optionName} {problem}.", optionName.Split('.')[^1]);
        }
    }
}
