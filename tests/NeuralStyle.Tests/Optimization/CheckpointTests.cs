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
    private static readonly OptimizerSettings Settings = new()
    {
        Iterations = 14,
        LearningRate = 3.0,
        Schedule = [new(8, 0.5)],
        UnclampedFinalIterations = 2,
        ProgressInterval = 100,
        CheckpointInterval = 5,
    };

    [Fact]
    public void Checkpoints_come_every_interval_before_the_last_iteration_with_the_schedule_position()
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        using var result = new StyleTransferOptimizer(Extractors.Cpu, Settings).Optimize(problem.Image, problem.Losses, log);
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
        using var uninterrupted = new StyleTransferOptimizer(Extractors.Cpu, Settings).Optimize(problem.Image, problem.Losses, log);
        var stored = log.Reports.Where(r => r.Checkpoint is not null).ElementAt(which).Checkpoint!.ToBytes();

        var checkpoint = OptimizerCheckpoint.FromBytes(stored, maxPixels: 1 << 20);
        var resumedLog = new ProgressLog();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var resumed = new StyleTransferOptimizer(Extractors.Cpu, Settings with { ProgressInterval = 1 }) { ResumeFrom = checkpoint }.Optimize(problem.Image, problem.Losses, resumedLog))
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
        var unclamped = Settings with { ClampBound = null, CheckpointInterval = 0 };
        using var uninterrupted = new StyleTransferOptimizer(Extractors.Cpu, unclamped).Optimize(problem.Image, problem.Losses);
        using var first = new StyleTransferOptimizer(Extractors.Cpu, unclamped with { Iterations = 5, Schedule = [] }).Optimize(problem.Image, problem.Losses);
        using var rest = new StyleTransferOptimizer(Extractors.Cpu, unclamped with { Iterations = 9, Schedule = [new(3, 0.5)] }).Optimize(first.Image, problem.Losses);
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
        var cases = new (OptimizerSettings Settings, string Message)[]
        {
            (Settings with { Iterations = 5 }, "*after 5 iterations*only 5*"),
            (Settings with { LearningRate = 2 }, "*taken at learning rate 3*"),
            (Settings with { Optimizer = OptimizerKind.Lbfgs, CheckpointInterval = 0 }, "*needs the Adam optimiser*"),
        };
        foreach (var (settings, message) in cases)
        {
            var optimizer = new StyleTransferOptimizer(Extractors.Cpu, settings) { ResumeFrom = checkpoint };
            FluentActions.Invoking(() => optimizer.Optimize(problem.Image, problem.Losses)).Should().Throw<ArgumentException>().WithMessage("ResumeFrom *").WithMessage(message);
        }

        using var other = problem.Image.narrow(2, 0, 8).narrow(3, 0, 8).contiguous();
        FluentActions.Invoking(() => new StyleTransferOptimizer(Extractors.Cpu, Settings) { ResumeFrom = checkpoint }.Optimize(other, problem.Losses))
            .Should().Throw<ArgumentException>().WithMessage("ResumeFrom holds an image of shape*");
    }

    [Fact]
    public void Checkpoints_with_L_BFGS_are_refused_naming_the_setting()
        => FluentActions.Invoking(() => new StyleTransferOptimizer(Extractors.Cpu, Settings with { Optimizer = OptimizerKind.Lbfgs }))
            .Should().Throw<ArgumentException>().WithMessage("CheckpointInterval needs the Adam optimiser*");

    private static OptimizerCheckpoint Take(OptimizerSettings settings)
    {
        using var problem = new GoldenProblem();
        var log = new ProgressLog();
        using var result = new StyleTransferOptimizer(Extractors.Cpu, settings with { Iterations = 7 }).Optimize(problem.Image, problem.Losses, log);
        return log.Reports.Single(r => r.Checkpoint is not null).Checkpoint!;
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
