using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;

namespace NeuralStyle.Tests.Optimization;

public sealed class CheckpointTests
{
    // A rate change at 8 (a fresh Adam) and unclamped final iterations: a checkpoint at 5 is before both, one at 10 after the change.
    private const int Iterations = 14;

    private static readonly OptimizerOptions Settings = new()
    {
        LearningRate = 3.0,
        DecayedLearningRate = 0.5,
        DecayStartFraction = 8.0 / Iterations,
        UnclampedFinalIterations = 2,
        ProgressInterval = 100,
    };

    private static StyleTransferOptimizer Optimizer(OptimizerOptions options, OptimizerCheckpoint? resumeFrom = null)
        => new(Extractors.Cpu, options) { CheckpointInterval = options.Kind == OptimizerKind.Adam ? 5 : 0, ResumeFrom = resumeFrom };

    [Fact]
    public void Checkpoints_come_every_interval_before_the_last_iteration_with_the_schedule_position()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        using var result = Optimizer(Settings).Optimize(problem.Image, problem.Losses, Iterations, log);
        var checkpoints = log.Reports.Where(r => r.Checkpoint is not null).Select(r => r.Checkpoint!).ToArray();
        checkpoints.Select(c => c.Iteration).Should().Equal(5, 10);
        checkpoints.Select(c => c.LearningRate).Should().Equal(3.0, 0.5);
        checkpoints.Select(c => c.AdamStep).Should().Equal(new long[] { 5, 2 }, "the rate change at 8 started a fresh optimiser");
        checkpoints[0].Shape.Should().Equal(problem.Image.shape);
        log.Reports[^1].Checkpoint.Should().BeNull("the last iteration has the result instead");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_run_resumed_from_a_stored_checkpoint_ends_on_the_uninterrupted_image_bit_for_bit(int which)
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        using var uninterrupted = Optimizer(Settings).Optimize(problem.Image, problem.Losses, Iterations, log);
        var stored = log.Reports.Where(r => r.Checkpoint is not null).ElementAt(which).Checkpoint!.ToBytes();

        var checkpoint = OptimizerCheckpoint.FromBytes(stored, maxPixels: 1 << 20);
        var resumedLog = new ProgressLog();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var resumed = Optimizer(Settings with { ProgressInterval = 1 }, checkpoint).Optimize(problem.Image, problem.Losses, Iterations, resumedLog))
        {
            resumedLog.Reports[0].Iteration.Should().Be(checkpoint.Iteration + 1, "the run goes on after the checkpoint");
            Tensors.Identical(resumed.Image, uninterrupted.Image).Should().BeTrue("Adam's moments, its step and the rate were restored");
            resumed.FinalLosses.Total.Should().Be(uninterrupted.FinalLosses.Total);
        }

        DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(live);
    }

    [Fact]
    public void Without_Adam_s_state_the_same_pixels_do_not_end_on_the_same_image()
    {
        // The control of the test above: the pixels after 5 iterations, optimised on by a fresh Adam, give another image.
        using var problem = new GoldenProblem();
        var unclamped = Settings with { ClampBound = null };
        using var uninterrupted = new StyleTransferOptimizer(Extractors.Cpu, unclamped).Optimize(problem.Image, problem.Losses, Iterations);
        using var first = new StyleTransferOptimizer(Extractors.Cpu, unclamped with { DecayStartFraction = 1 }).Optimize(problem.Image, problem.Losses, 5);
        using var rest = new StyleTransferOptimizer(Extractors.Cpu, unclamped with { DecayStartFraction = 3.0 / 9 }).Optimize(first.Image, problem.Losses, 9);
        Tensors.Identical(rest.Image, uninterrupted.Image).Should().BeFalse();
        rest.FinalLosses.Total.Should().NotBe(uninterrupted.FinalLosses.Total);
    }

    [Fact]
    public void The_bytes_round_trip_and_are_bounded()
    {
        var checkpoint = Take(Settings);
        var bytes = checkpoint.ToBytes();
        var elements = checkpoint.Shape.Aggregate(1L, (a, b) => a * b);
        bytes.LongLength.Should().Be(checkpoint.ByteCount).And.Be(OptimizerCheckpoint.MaxByteCount(elements / 3));
        var back = OptimizerCheckpoint.FromBytes(bytes, elements / 3);
        back.ToBytes().Should().Equal(bytes);
        (back.Iteration, back.LearningRate, back.AdamStep).Should().Be((checkpoint.Iteration, checkpoint.LearningRate, checkpoint.AdamStep));

        FluentActions.Invoking(() => OptimizerCheckpoint.FromBytes(bytes, (elements / 3) - 1)).Should().Throw<CheckpointFormatException>().WithMessage("*more than*pixels*");
    }

    [Theory]
    [InlineData("truncated", "*bytes*announces*")]
    [InlineData("flipped", "*corrupt*")]
    [InlineData("header", "*not an optimiser checkpoint*")]
    [InlineData("version", "*format version 7*")]
    [InlineData("empty", "*not an optimiser checkpoint*")]
    public void Damaged_bytes_are_refused_with_a_typed_exception(string damage, string message)
    {
        var bytes = Take(Settings).ToBytes();
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..^1],
            "flipped" => Flip(bytes, bytes.Length / 2),
            "header" => Flip(bytes, 0),
            "version" => Version(bytes, 7),
            _ => [],
        };
        FluentActions.Invoking(() => OptimizerCheckpoint.FromBytes(damaged, 1 << 20)).Should().Throw<CheckpointFormatException>().WithMessage(message);
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_the_run_is_refused_before_any_work()
    {
        using var problem = new GoldenProblem();
        var checkpoint = Take(Settings);
        var cases = new (OptimizerOptions Settings, int Iterations, string Message)[]
        {
            (Settings, 5, "*after 5 iterations*only 5*"),
            (Settings with { LearningRate = 2 }, Iterations, "*taken at learning rate 3*"),
            (Settings with { Kind = OptimizerKind.Lbfgs }, Iterations, "*needs the Adam optimiser*"),
        };
        foreach (var (settings, iterations, message) in cases)
        {
            var optimizer = Optimizer(settings, checkpoint);
            FluentActions.Invoking(() => optimizer.Optimize(problem.Image, problem.Losses, iterations)).Should().Throw<ArgumentException>().WithMessage("ResumeFrom *").WithMessage(message);
        }

        using var other = problem.Image.narrow(2, 0, 8).narrow(3, 0, 8).contiguous();
        FluentActions.Invoking(() => Optimizer(Settings, checkpoint).Optimize(other, problem.Losses, Iterations))
            .Should().Throw<ArgumentException>().WithMessage("ResumeFrom holds an image of shape*");
    }

    [Fact]
    public void Checkpoints_with_L_BFGS_are_refused_naming_the_setting()
    {
        using var problem = new GoldenProblem();
        var optimizer = new StyleTransferOptimizer(Extractors.Cpu, Settings with { Kind = OptimizerKind.Lbfgs }) { CheckpointInterval = 5 };
        FluentActions.Invoking(() => optimizer.Optimize(problem.Image, problem.Losses, Iterations))
            .Should().Throw<ArgumentException>().WithMessage("CheckpointInterval needs the Adam optimiser*");
    }

    private static OptimizerCheckpoint Take(OptimizerOptions settings)
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        using var result = Optimizer(settings).Optimize(problem.Image, problem.Losses, Iterations, log);
        return log.Reports.First(r => r.Checkpoint is not null).Checkpoint!;
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x40;
        return copy;
    }

    private static byte[] Version(byte[] bytes, int version)
    {
        var copy = bytes.ToArray();
        BitConverter.GetBytes(version).CopyTo(copy, 4);
        return copy;
    }
}
