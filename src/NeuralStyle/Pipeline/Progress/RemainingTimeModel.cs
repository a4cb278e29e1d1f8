using System;
using System.Collections.Generic;

namespace NeuralStyle.Pipeline.Progress;

/// <summary>The work of one stage for <see cref="RemainingTimeModel"/>.</summary>
/// <param name="Iterations">The stage's iterations, every tile's counted.</param>
/// <param name="Pixels">The pixels one iteration optimises (the stage's, or a tile's when tiled).</param>
internal readonly record struct StageWork(int Iterations, double Pixels);

/// <summary>
/// The one model of a run's time left. The stage under way is timed from the end of its warm-up
/// (<see cref="TimingPrior.WarmUpIterations"/>: its first iteration, which carries its set-up), over the later half of its
/// iterations so far and at least <see cref="MinimumWindow"/> of them, so that a speed that has changed weighs no more; the
/// iterations after the warm-up are still slower by the device's <see cref="TimingPrior.SlowdownAfterWarmUp"/>, which is
/// taken out of what is measured and put into what is left. No estimate is given until the first stage has timed
/// <see cref="TimingPrior.MinimumTimed"/> iterations after its warm-up. A later stage's iteration is scaled from the latest measured stage by
/// <c>pixels^PixelExponent</c> until two sizes are measured, then by the line <c>c·(pixels + F)</c> fitted to them. Each later
/// stage also costs its set-up (targets, the warm-up), in proportion to its iteration cost as measured for the
/// earlier stages. A stage that has just begun counts its prediction from the earlier stages as
/// <see cref="PredictionWeight"/> measured iterations.
/// </summary>
internal sealed class RemainingTimeModel
{
    /// <summary>The fewest iterations the speed of a stage is measured over, when it has done that many.</summary>
    internal const int MinimumWindow = 20;

    /// <summary>How many measured iterations a stage's prediction from the earlier stages counts as while the stage is under way.</summary>
    internal const int PredictionWeight = 20;

    private readonly StageWork[] _stages;
    private readonly TimingPrior _prior;
    private readonly TimeSpan?[] _started;
    private readonly List<(TimeSpan At, int Done)>[] _timings;
    private readonly int[] _firstDone;
    private readonly (TimeSpan At, int Done)?[] _warm;

    /// <param name="stages">The run's stages, coarsest first.</param>
    /// <param name="prior">What is assumed about the device until it is measured.</param>
    public RemainingTimeModel(IReadOnlyList<StageWork> stages, TimingPrior prior)
    {
        _stages = [.. stages];
        _prior = prior;
        _started = new TimeSpan?[_stages.Length];
        _timings = new List<(TimeSpan, int)>[_stages.Length];
        _firstDone = new int[_stages.Length];
        _warm = new (TimeSpan, int)?[_stages.Length];
        for (var k = 0; k < _stages.Length; k++)
        {
            _timings[k] = [];
        }
    }

    /// <summary>Records that stage <paramref name="stage"/>'s set-up (its targets) starts.</summary>
    public void StageStarting(int stage, TimeSpan now) => _started[stage] ??= now;

    /// <summary>Records that stage <paramref name="stage"/>'s first iteration is done.</summary>
    public void FirstIterationDone(int stage, TimeSpan now)
    {
        if (_firstDone[stage] == 0)
        {
            _firstDone[stage] = 1;
            Record(stage, 1, now);
        }
    }

    /// <summary>Records that <paramref name="done"/> iterations of stage <paramref name="stage"/> are done.</summary>
    /// <param name="stage">The zero-based stage.</param>
    /// <param name="done">The stage's iterations done, every tile's counted.</param>
    /// <param name="now">The time.</param>
    public void Iterations(int stage, int done, TimeSpan now)
    {
        // Without the first iteration's signal (a resumed run starts past it) the stage is timed from its first report.
        if (_firstDone[stage] == 0)
        {
            _firstDone[stage] = done;
        }

        Record(stage, done, now);
    }

    private void Record(int stage, int done, TimeSpan now)
    {
        // The speed is timed from the first timing past the warm-up (the set-up and the slower first iterations).
        var timings = _timings[stage];
        if (_warm[stage] is null)
        {
            if (done < Math.Max(_prior.WarmUpIterations, _firstDone[stage]))
            {
                return;
            }

            _warm[stage] = (now, done);
        }
        else if (done <= timings[^1].Done)
        {
            return;
        }

        timings.Add((now, done));

        // The window's start only moves forward: earlier timings are not needed again.
        var start = WindowStart(timings, _warm[stage]!.Value.Done);
        if (start > 0)
        {
            timings.RemoveRange(0, start);
        }
    }

    /// <summary>The time left after <paramref name="done"/> iterations of stage <paramref name="stage"/>; null until enough is timed.</summary>
    /// <param name="stage">The zero-based stage under way (or about to start, with <paramref name="done"/> 0).</param>
    /// <param name="done">Its iterations done, every tile's counted.</param>
    public TimeSpan? Remaining(int stage, int done)
    {
        if (Rate(stage) is not { } current)
        {
            return null;
        }

        var fixedPixels = FixedPixels(stage);
        var warmUp = WarmUp(stage);
        var seconds = StageLeft(stage, done, warmUp) * current;
        for (var j = stage + 1; j < _stages.Length; j++)
        {
            seconds += StageLeft(j, 0, warmUp) * current * Scale(stage, j, fixedPixels);
        }

        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    // What is left of a stage after `done` iterations, in its steady iterations: the rest of its set-up and warm-up (a share
    // in proportion to the warm-up's iterations not yet done), then the rest.
    private double StageLeft(int stage, int done, (double Cost, int Iterations) warmUp)
    {
        var iterations = _stages[stage].Iterations;
        var warm = Math.Min(warmUp.Iterations, iterations);
        return done >= warm
            ? _prior.SteadyIterations(done, iterations)
            : (warmUp.Cost * (warm - done) / warmUp.Iterations) + _prior.SteadyIterations(warm, iterations);
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

    // The cost of an iteration of stage j relative to one of stage k: by the fitted line, else by the prior's exponent.
    private double Scale(int k, int j, double? fixedPixels) => fixedPixels is { } f
        ? (_stages[j].Pixels + f) / (_stages[k].Pixels + f)
        : Math.Pow(_stages[j].Pixels / _stages[k].Pixels, _prior.PixelExponent);

    // The seconds per steady iteration of a stage: measured, predicted from the earlier stages, or both weighed by what each
    // rests on; a stage's own measure alone counts once it has timed the prior's minimum.
    private double? Rate(int stage)
    {
        var measured = Measured(stage);
        var predicted = Predicted(stage);
        return (measured, predicted) switch
        {
            ({ } m, { } p) => ((m.Seconds * m.Iterations) + (p * PredictionWeight)) / (m.Iterations + PredictionWeight),
            ({ } m, null) when m.Timed >= _prior.MinimumTimed => m.Seconds,
            (null, { } p) => p,
            _ => null,
        };
    }

    // The stage's own seconds per steady iteration over its window, the iterations that rests on, and those timed in all.
    private (double Seconds, int Iterations, int Timed)? Measured(int stage)
    {
        var timings = _timings[stage];
        if (timings.Count < 2)
        {
            return null;
        }

        var warm = _warm[stage]!.Value.Done;
        var from = timings[WindowStart(timings, warm)];
        var (at, done) = timings[^1];
        return ((at - from.At).TotalSeconds / _prior.SteadyIterations(from.Done, done), done - from.Done, done - warm);
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

    // The fixed part of an iteration in pixels: fitted to the two latest stages measured over a full window at different sizes, else null.
    private double? FixedPixels(int upTo)
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
                // r = c·(p + F) through both points; a slope of the wrong sign (noise) keeps the prior's exponent.
                var fitted = ((ra * b.Pixels) - (b.Seconds * pa)) / (b.Seconds - ra);
                return Math.Clamp(fitted, -0.5 * Math.Min(pa, b.Pixels), 4 * Math.Max(pa, b.Pixels));
            }
        }

        return null;
    }

    // A stage's set-up and warm-up (its targets and the iterations up to the first timed one) in its steady iterations, and
    // how many iterations that covers: as measured for the latest stage that had it timed from its first iteration (not a
    // resumed one, whose first timing follows only the iterations done since the resumption); plain iterations when none had.
    private (double Cost, int Iterations) WarmUp(int upTo)
    {
        for (var k = upTo; k >= 0; k--)
        {
            if (_firstDone[k] == 1 && _started[k] is { } start && _warm[k] is { } warm && Measured(k) is { } m && m.Seconds > 0)
            {
                return ((warm.At - start).TotalSeconds / m.Seconds, warm.Done);
            }
        }

        var plain = Math.Max(1, _prior.WarmUpIterations);
        return (plain, plain);
    }
}
