using System;
using System.Collections.Generic;
using NeuralStyle.Pipeline.Stages;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>
/// Turns what the stages report into the run's progress: each phase as it starts, iterations counted over the whole run
/// (stages and tiles), and the time left by <see cref="RemainingTimeModel"/>, which times each stage from the end of its first
/// iteration (<see cref="IFirstIterationTiming"/>; else from its first report).
/// </summary>
internal sealed class RunProgress
{
    private static readonly LossValues NoLosses = new(new Dictionary<string, double>());
    private readonly IProgress<StyleTransferProgress>? _sink;
    private readonly Func<TimeSpan> _clock;
    private readonly int[] _iterationOffsets;
    private readonly RemainingTimeModel _timeLeft;

    /// <param name="sink">The caller's progress, or null.</param>
    /// <param name="stages">The run's stages with their tile counts.</param>
    /// <param name="clock">The time since the run started.</param>
    /// <param name="prior">What the time left assumes about the device until it is measured.</param>
    public RunProgress(IProgress<StyleTransferProgress>? sink, IReadOnlyList<(PlannedStage Stage, int Tiles)> stages, Func<TimeSpan> clock, TimingPrior prior)
    {
        _sink = sink;
        _clock = clock;
        StageCount = stages.Count;
        _iterationOffsets = new int[stages.Count + 1];
        var work = new StageWork[stages.Count];
        for (var k = 0; k < stages.Count; k++)
        {
            var (planned, tiles) = stages[k];
            var stage = planned.Stage;
            var (h, w) = planned.TileSize is { } t ? (Math.Min(t, stage.Height), Math.Min(t, stage.Width)) : (stage.Height, stage.Width);
            work[k] = new StageWork(stage.Iterations * tiles, (double)h * w);
            _iterationOffsets[k + 1] = _iterationOffsets[k] + work[k].Iterations;
        }

        _timeLeft = new RemainingTimeModel(work, prior);
    }

    /// <summary>Gets the number of stages.</summary>
    public int StageCount { get; }

    /// <summary>Gets the iterations of the whole run, every tile's counted.</summary>
    public int TotalIterations => _iterationOffsets[^1];

    /// <summary>Reports that a phase starts.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="stage">The zero-based stage it belongs to.</param>
    public void Phase(StyleTransferPhase phase, int stage = 0)
    {
        if (_sink is null)
        {
            return;
        }

        var now = _clock();
        var index = Math.Min(stage, StageCount - 1);
        if (phase == StyleTransferPhase.ComputingTargets)
        {
            _timeLeft.StageStarting(index, now);
        }

        var finishing = phase == StyleTransferPhase.Finishing;
        _sink.Report(new StyleTransferProgress(finishing ? TotalIterations : _iterationOffsets[index], TotalIterations, NoLosses, 0, now)
        {
            Phase = phase,
            Stage = index + 1,
            StageCount = StageCount,
            EstimatedRemaining = finishing ? TimeSpan.Zero : _timeLeft.Remaining(index, 0),
        });
    }

    /// <summary>A sink for the optimisation of stage <paramref name="stage"/> (zero-based), which reports iterations of that stage.</summary>
    public IProgress<StyleTransferProgress>? ForStage(int stage) => _sink is null ? null : new StageSink(this, stage);

    private void Report(int stage, StyleTransferProgress value)
    {
        var now = _clock();
        _timeLeft.Iterations(stage, value.Iteration, now);
        _sink!.Report(value with
        {
            Iteration = _iterationOffsets[stage] + value.Iteration,
            TotalIterations = TotalIterations,
            Stage = stage + 1,
            StageCount = StageCount,
            Elapsed = now,
            EstimatedRemaining = _timeLeft.Remaining(stage, value.Iteration),
            Phase = StyleTransferPhase.Optimizing,
        });
    }

    private sealed class StageSink(RunProgress owner, int stage) : IProgress<StyleTransferProgress>, IFirstIterationTiming
    {
        public void Report(StyleTransferProgress value) => owner.Report(stage, value);

        public void FirstIterationDone(TimeSpan elapsed) => owner._timeLeft.FirstIterationDone(stage, owner._clock());
    }
}
