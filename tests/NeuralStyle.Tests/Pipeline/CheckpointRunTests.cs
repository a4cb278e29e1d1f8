using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.Tests.Pipeline;

/// <summary><see cref="StyleTransferOptions.CheckpointInterval"/> and <see cref="StyleTransferOptions.ResumeFrom"/> in every kind of run.</summary>
public sealed class CheckpointRunTests
{
    public static TheoryData<RunKind> Kinds => RunKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_resumed_run_gives_the_uninterrupted_bytes_or_is_refused_before_any_work(RunKind kind)
    {
        var plain = RunKinds.Options(kind, iterations: 8);
        var options = plain with { CheckpointInterval = 3, Optimizer = plain.Optimizer with { ProgressInterval = 100 } };
        if (kind is RunKind.CoarseToFine or RunKind.Tiled)
        {
            var refused = () => RunKinds.RunAsync(kind, options);
            (await refused.Should().ThrowAsync<ArgumentException>()).WithMessage("StyleTransferOptions.CheckpointInterval needs a run optimised as one image*");
            return;
        }

        var (uninterrupted, log, _) = await RunKinds.RunAsync(kind, options);
        var checkpoints = log.Reports.Where(r => r.Checkpoint is not null).Select(r => r.Checkpoint!).ToArray();
        checkpoints.Select(c => c.Iteration).Should().Equal(3, 6);
        checkpoints[0].Shape[0].Should().Be(kind == RunKind.Batch ? 2 : 1);

        var (resumed, resumedLog, _) = await RunKinds.RunAsync(kind, options with { ResumeFrom = checkpoints[1], CheckpointInterval = 0, Optimizer = options.Optimizer with { ProgressInterval = 1 } });
        resumedLog.Reports.Where(r => r.Phase == StyleTransferPhase.Optimizing).Select(r => r.Iteration).Should().Equal(7, 8);
        for (var i = 0; i < uninterrupted.Length; i++)
        {
            resumed[i].Bytes.Should().Equal(uninterrupted[i].Bytes, $"{kind}: image {i} ends as without the interruption");
        }

        resumedLog.Reports[^1].TotalLoss.Should().Be(log.Reports[^1].TotalLoss);
    }

    [Fact]
    public async Task A_checkpoint_from_another_run_is_refused_before_any_work()
    {
        var options = RunKinds.Options(RunKind.Whole, iterations: 4) with { CheckpointInterval = 2 };
        var (_, log, _) = await RunKinds.RunAsync(RunKind.Whole, options);
        var checkpoint = log.Reports.First(r => r.Checkpoint is not null).Checkpoint!;
        var other = () => RunKinds.RunAsync(RunKind.Whole, options with { ImageSize = 48, ResumeFrom = checkpoint });
        (await other.Should().ThrowAsync<ArgumentException>()).WithMessage("StyleTransferOptions.ResumeFrom holds an image of shape [1,3,64,85] but the run optimises [1,3,48,64]*");
        log.Reports.Should().NotBeEmpty();
    }
}
