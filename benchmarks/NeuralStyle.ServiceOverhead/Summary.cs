using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NeuralStyle.Orleans.Hosting;

namespace NeuralStyle.ServiceOverhead;

/// <summary>One pair of runs: each path's process CPU time and wall time, in seconds, its CPU time by thread, and the load average after it.</summary>
internal sealed record Pair(int Index, string Order, double PlainCpuS, double PlainWallS, double ServiceCpuS, double ServiceWallS, string LoadAverage)
{
    public double CpuRatio => ServiceCpuS / PlainCpuS;

    public double WallRatio => ServiceWallS / PlainWallS;

    /// <summary>Gets the plain run's CPU seconds by thread name (<see cref="ThreadCpu"/>).</summary>
    public IReadOnlyDictionary<string, double>? PlainThreads { get; init; }

    /// <summary>Gets the service run's CPU seconds by thread name (<see cref="ThreadCpu"/>).</summary>
    public IReadOnlyDictionary<string, double>? ServiceThreads { get; init; }
}

/// <summary>The medians of each path and of the per-pair ratios, with the ratios' range.</summary>
internal sealed record Summary(
    int Size,
    int Iterations,
    int Pairs,
    int Threads,
    string Device,
    int PreviewInterval,
    double PreviewMinimumSeconds,
    int CheckpointInterval,
    double PlainCpuMedianS,
    double ServiceCpuMedianS,
    double CpuRatioMedian,
    double CpuRatioMin,
    double CpuRatioMax,
    double PlainWallMedianS,
    double ServiceWallMedianS,
    double WallRatioMedian,
    double WallRatioMin,
    double WallRatioMax,
    bool IdenticalResults)
{
    public static Summary From(RunnerArguments arguments, NeuralStyleServiceOptions service, IReadOnlyList<Pair> pairs) => new(
        arguments.Size,
        arguments.Iterations,
        pairs.Count,
        arguments.Threads,
        arguments.Device,
        service.PreviewInterval,
        service.PreviewMinimumInterval.TotalSeconds,
        service.CheckpointInterval,
        Median(pairs.Select(p => p.PlainCpuS)),
        Median(pairs.Select(p => p.ServiceCpuS)),
        Median(pairs.Select(p => p.CpuRatio)),
        pairs.Min(p => p.CpuRatio),
        pairs.Max(p => p.CpuRatio),
        Median(pairs.Select(p => p.PlainWallS)),
        Median(pairs.Select(p => p.ServiceWallS)),
        Median(pairs.Select(p => p.WallRatio)),
        pairs.Min(p => p.WallRatio),
        pairs.Max(p => p.WallRatio),
        IdenticalResults: true);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Size} px, {Iterations} iterations, {Threads} thread(s), {Device}, previews every {PreviewInterval} iterations and at least {PreviewMinimumSeconds:0.###} s apart, checkpoints every {CheckpointInterval}, {Pairs} pairs, identical results: " +
        $"CPU plain {PlainCpuMedianS:F2} s, service {ServiceCpuMedianS:F2} s, overhead {Percent(CpuRatioMedian)} (pairs {Percent(CpuRatioMin)} to {Percent(CpuRatioMax)}); " +
        $"wall plain {PlainWallMedianS:F2} s, service {ServiceWallMedianS:F2} s, overhead {Percent(WallRatioMedian)} (pairs {Percent(WallRatioMin)} to {Percent(WallRatioMax)}).");

    private static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{(ratio - 1) * 100:+0.0;-0.0} %");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
