using System;
using System.Collections.Generic;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>The work of one stage for <see cref="RemainingTimeModel"/>.</summary>
/// <param name="Iterations">The stage's iterations, every tile's counted.</param>
/// <param name="Pixels">The pixels one iteration optimises (the stage's, or a tile's when tiled).</param>
internal readonly record struct StageWork(int Iterations, double Pixels);

/// <summary>
/// The one model of a run's time left. The stage under way is timed from the end of its first iteration (which carries its
/// warm-up), over the later half of its iterations so far and at least <see cref="MinimumWindow"/> of them, so that the
/// slower first iterations and a speed that has changed weigh no more. A later stage's iteration costs <c>c·(pixels + F)</c>,
/// scaled from the latest measured stage: <c>F</c> is 0 (cost in proportion to the pixels) until two sizes are measured, then
/// fitted to them. Each later stage also costs its set-up (targets, the first iteration's warm-up), in proportion to its
/// iteration cost as measured for the earlier stages. A stage that has just begun counts its prediction from the earlier
/// stages as <see cref="PredictionWeight"/> measured iterations.
/// </summary>
internal sealed class RemainingTimeModel
{
    /// <summary>The fewest iterations the speed of a stage is measured over, when it has done that many.</summary>
    internal const int MinimumWindow = 20;

    /// <summary>How many measured iterations a stage's prediction from the earlier stages counts as while the stage is under way.</summary>
    internal const int PredictionWeight = 20;

    private readonly StageWork[] _stages;
    private readonly TimeSpan?[] _started;
    private readonly List<(TimeSpan At, int Done)>[] _timings;
    private readonly int[] _firstDone;
    private readonly double?[] _setUpSeconds;

    /// <param name="stages">The run's stages, coarsest first.</param>
    public RemainingTimeModel(IReadOnlyList<StageWork> stages)
    {
        _stages = [.. stages];
        _started = new TimeSpan?[_stages.Length];
        _timings = new List<(TimeSpan, int)>[_stages.Length];
        _firstDone = new int[_stages.Length];
        _setUpSeconds = new double?[_stages.Length];
        for (var k = 0; k < _stages.Length; k++)
        {
            _timings[k] = [];
        }
    }

    /// <summary>Records that stage <paramref name="stage"/>'s set-up (its targets) starts.</summary>
    public void StageStarting(int stage, TimeSpan now) => _started[stage] ??= now;

    /// <summary>Records that stage <paramref name="stage"/>'s first iteration is done: the stage's speed is timed from here.</summary>
    public void FirstIterationDone(int stage, TimeSpan now)
    {
        if (_timings[stage].Count > 0)
        {
            return;
        }

        _timings[stage].Add((now, 1));
        _firstDone[stage] = 1;
        if (_started[stage] is { } start)
        {
            _setUpSeconds[stage] = (now - start).TotalSeconds;
        }
    }

    /// <summary>Records that <paramref name="done"/> iterations of stage <paramref name="stage"/> are done.</summary>
    /// <param name="stage">The zero-based stage.</param>
    /// <param name="done">The stage's iterations done, every tile's counted.</param>
    /// <param name="now">The time.</param>
    public void Iterations(int stage, int done, TimeSpan now)
    {
        // Without the first iteration's signal (a resumed run starts past it) the stage is timed from its first report.
        var timings = _timings[stage];
        if (timings.Count == 0)
        {
            _firstDone[stage] = done;
        }
        else if (done <= timings[^1].Done)
        {
            return;
        }

        timings.Add((now, done));

        // The window's start only moves forward: earlier timings are not needed again.
        var start = WindowStart(timings, _firstDone[stage]);
        if (start > 0)
        {
            timings.RemoveRange(0, start);
        }
    }

    /// <summary>The time left after <paramref name="done"/> iterations of stage <paramref name="stage"/>; null before anything was timed.</summary>
    /// <param name="stage">The zero-based stage under way (or about to start, with <paramref name="done"/> 0).</param>
    /// <param name="done">Its iterations done, every tile's counted.</param>
    public TimeSpan? Remaining(int stage, int done)
    {
        if (Rate(stage) is not { } current)
        {
            return null;
        }

        var fixedPixels = FixedPixels(stage);
        var setUp = SetUpIterations(stage);
        var seconds = ((_stages[stage].Iterations - done) + (done == 0 ? setUp : 0)) * current;
        for (var j = stage + 1; j < _stages.Length; j++)
        {
            seconds += (_stages[j].Iterations + setUp) * current * Scale(stage, j, fixedPixels);
        }

        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    // The index of the timing the window starts at: the latest at or before the later half, keeping MinimumWindow iterations.
    private static int WindowStart(List<(TimeSpan At, int Done)> timings, int first)
    {
        var last = timings[^1].Done;
        var target = first + Math.Max(0, Math.Min((last - first) / 2, last - first - MinimumWindow));
        var start = 0;
        while (start + 1 < timings.Count && timings[start + 1].Done <= target)
        {
            start++;
        }

        return start;
    }

    // The cost of an iteration of stage j relative to one of stage k.
    private double Scale(int k, int j, double fixedPixels) => (_stages[j].Pixels + fixedPixels) / (_stages[k].Pixels + fixedPixels);

    // The seconds per iteration of a stage: measured, predicted from the earlier stages, or both weighed by what each rests on.
    private double? Rate(int stage)
    {
        var measured = Measured(stage);
        var predicted = Predicted(stage);
        return (measured, predicted) switch
        {
            ({ } m, { } p) => ((m.Seconds * m.Iterations) + (p * PredictionWeight)) / (m.Iterations + PredictionWeight),
            ({ } m, null) => m.Seconds,
            (null, { } p) => p,
            _ => null,
        };
    }

    // The stage's own seconds per iteration over its window, and the iterations that rests on.
    private (double Seconds, int Iterations)? Measured(int stage)
    {
        var timings = _timings[stage];
        if (timings.Count < 2)
        {
            return null;
        }

        var from = timings[WindowStart(timings, _firstDone[stage])];
        var (at, done) = timings[^1];
        return ((at - from.At).TotalSeconds / (done - from.Done), done - from.Done);
    }

    // The stage's seconds per iteration predicted from the latest earlier stage with a rate, by the line fitted so far.
    private double? Predicted(int stage)
    {
        for (var k = stage - 1; k >= 0; k--)
        {
            if (Rate(k) is { } rate)
            {
                return rate * Scale(k, stage, FixedPixels(stage));
            }
        }

        return null;
    }

    // The fixed part of an iteration in pixels: fitted to the two latest stages measured over a full window at different sizes, else 0.
    private double FixedPixels(int upTo)
    {
        (double Pixels, double Seconds)? later = null;
        for (var k = upTo; k >= 0; k--)
        {
            if (Measured(k) is not { } m || m.Iterations < MinimumWindow)
            {
                continue;
            }

            if (later is not { } b)
            {
                later = (_stages[k].Pixels, m.Seconds);
                continue;
            }

            var (pa, ra) = (_stages[k].Pixels, m.Seconds);
            if (b.Pixels != pa && (b.Seconds - ra) * (b.Pixels - pa) > 0)
            {
                // r = c·(p + F) through both points; a slope of the wrong sign (noise) keeps cost in proportion to the pixels.
                var fitted = ((ra * b.Pixels) - (b.Seconds * pa)) / (b.Seconds - ra);
                return Math.Clamp(fitted, -0.5 * Math.Min(pa, b.Pixels), 4 * Math.Max(pa, b.Pixels));
            }
        }

        return 0;
    }

    // A stage's set-up (targets, the first iteration's warm-up) beyond one plain iteration, in iterations of its own: as measured
    // for the latest stage that had one timed, none when none was.
    private double SetUpIterations(int upTo)
    {
        for (var k = upTo; k >= 0; k--)
        {
            if (_setUpSeconds[k] is { } setUp && Measured(k) is { } m && m.Seconds > 0)
            {
                return Math.Max(0, (setUp / m.Seconds) - 1);
            }
        }

        return 0;
    }
}
