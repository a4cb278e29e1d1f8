using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Pipeline.Stages;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>
/// Turns what the stages report into the run's progress: each phase as it starts, iterations counted over the whole run
/// (stages and tiles), and an estimate of the time left in which an iteration costs in proportion to the pixels it optimises,
/// at the rate measured since the first iteration finished (<see cref="IFirstIterationTiming"/>; else since the optimisation began).
/// </summary>
internal sealed class RunProgress
{
    // An iteration costs about as much as this many more pixels whatever its size (launches, the optimiser's bookkeeping).
    private const double FixedPixelsPerIteration = 64 * 64;

    private static readonly LossValues NoLosses = new(new Dictionary<string, double>());
    private readonly IProgress<StyleTransferProgress>? _sink;
    private readonly Func<TimeSpan> _clock;
    private readonly int[] _iterationOffsets;
    private readonly double[] _workOffsets;
    private readonly double[] _workPerIteration;
    private TimeSpan? _optimizingSince;
    private double _workAtStart;

    /// <param name="sink">The caller's progress, or null.</param>
    /// <param name="stages">The run's stages with their tile counts.</param>
    /// <param name="clock">The time since the run started.</param>
    public RunProgress(IProgress<StyleTransferProgress>? sink, IReadOnlyList<(PlannedStage Stage, int Tiles)> stages, Func<TimeSpan> clock)
    {
        _sink = sink;
        _clock = clock;
        StageCount = stages.Count;
        _iterationOffsets = new int[stages.Count + 1];
        _workOffsets = new double[stages.Count + 1];
        _workPerIteration = new double[stages.Count];
        for (var k = 0; k < stages.Count; k++)
        {
            var (planned, tiles) = stages[k];
            var stage = planned.Stage;
            var (h, w) = planned.TileSize is { } t ? (Math.Min(t, stage.Height), Math.Min(t, stage.Width)) : (stage.Height, stage.Width);
            _workPerIteration[k] = ((double)h * w) + FixedPixelsPerIteration;
            _iterationOffsets[k + 1] = _iterationOffsets[k] + (stage.Iterations * tiles);
            _workOffsets[k + 1] = _workOffsets[k] + (stage.Iterations * tiles * _workPerIteration[k]);
        }
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

        var done = phase == StyleTransferPhase.Finishing ? TotalIterations : _iterationOffsets[Math.Min(stage, StageCount)];
        _sink.Report(new StyleTransferProgress(done, TotalIterations, NoLosses, 0, _clock())
        {
            Phase = phase,
            Stage = Math.Min(stage, StageCount - 1) + 1,
            StageCount = StageCount,
            EstimatedRemaining = phase == StyleTransferPhase.Finishing ? TimeSpan.Zero : Estimate(_workOffsets[Math.Min(stage, StageCount)]),
        });
    }

    /// <summary>A sink for the optimisation of stage <paramref name="stage"/> (zero-based), which reports iterations of that stage.</summary>
    public IProgress<StyleTransferProgress>? ForStage(int stage) => _sink is null ? null : new StageSink(this, stage);

    /// <summary>The estimated time left once <paramref name="workDone"/> units of work are done; null before any timing.</summary>
    internal TimeSpan? Estimate(double workDone)
    {
        if (_optimizingSince is not { } since || workDone <= _workAtStart)
        {
            return null;
        }

        var seconds = (_clock() - since).TotalSeconds / (workDone - _workAtStart) * (_workOffsets[^1] - workDone);
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    private void FirstIterationDone(int stage)
    {
        if (_optimizingSince is null)
        {
            // The first iteration carries the warm-up (first allocations, one-off initialisation): the rate is measured after it.
            _optimizingSince = _clock();
            _workAtStart = _workOffsets[stage] + _workPerIteration[stage];
        }
    }

    private void Report(int stage, StyleTransferProgress value)
    {
        if (_optimizingSince is null)
        {
            // The clock of the estimate starts with the first optimisation; loading and targets before it are not iterations.
            _optimizingSince = _clock() - value.Elapsed;
            _workAtStart = _workOffsets[stage];
        }

        var work = _workOffsets[stage] + (value.Iteration * _workPerIteration[stage]);
        _sink!.Report(value with
        {
            Iteration = _iterationOffsets[stage] + value.Iteration,
            TotalIterations = TotalIterations,
            Stage = stage + 1,
            StageCount = StageCount,
            Elapsed = _clock(),
            EstimatedRemaining = Estimate(work),
            Phase = StyleTransferPhase.Optimizing,
        });
    }

    private sealed class StageSink(RunProgress owner, int stage) : IProgress<StyleTransferProgress>, IFirstIterationTiming
    {
        public void Report(StyleTransferProgress value) => owner.Report(stage, value);

        public void FirstIterationDone(TimeSpan elapsed) => owner.FirstIterationDone(stage);
    }
}
