using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace NeuralStyle.Benchmarks;

/// <summary>
/// Draws the ms/step chart of docs/performance.md from the step timer's JSON lines (and, optionally, the PyTorch
/// reference's lines with the same sizes). Arguments: <c>--ours FILE</c>, <c>--theirs FILE</c> (optional), <c>--out PNG</c>, <c>--title TEXT</c>.
/// </summary>
internal static class ChartWriter
{
    public static int Run(string[] args)
    {
        var o = StepTimer.Parse(args);
        var plot = new ScottPlot.Plot();
        var series = new List<(string Label, string Path)> { ("NeuralStyle (TorchSharp)", o["ours"]) };
        if (o.GetValueOrDefault("theirs") is { } theirs)
        {
            series.Add((o.GetValueOrDefault("theirs-label") ?? "PyTorch reference", theirs));
        }

        var labels = new List<string>();
        for (var s = 0; s < series.Count; s++)
        {
            var points = Read(series[s].Path);
            var bars = points.Select((p, i) => new ScottPlot.Bar
            {
                Position = (i * (series.Count + 1)) + s,
                Value = p.MsPerStep,
                FillColor = ScottPlot.Palette.Default.GetColor(s),
                Label = p.MsPerStep.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
            }).ToArray();
            plot.Add.Bars(bars).ValueLabelStyle.FontSize = 11;
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = series[s].Label, FillColor = ScottPlot.Palette.Default.GetColor(s) });
            if (s == 0)
            {
                labels.AddRange(points.Select(p => p.Label));
            }
        }

        var ticks = labels.Select((l, i) => new ScottPlot.Tick((i * (series.Count + 1)) + ((series.Count - 1) / 2.0), l)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.Label.Text = "ms per iteration (lower is better)";
        plot.Axes.Margins(bottom: 0);
        plot.Title(o.GetValueOrDefault("title") ?? "Time per optimiser iteration");
        plot.ShowLegend();
        plot.SavePng(o.GetValueOrDefault("out") ?? "performance.png", 720, 420);
        return 0;
    }

    private static List<(string Label, double MsPerStep)> Read(string path)
    {
        var points = new List<(string, double)>();
        foreach (var line in File.ReadLines(path).Where(l => l.TrimStart().StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var label = r.TryGetProperty("height", out var h) && r.TryGetProperty("width", out var w)
                ? $"{w.GetInt32()}×{h.GetInt32()}"
                : r.TryGetProperty("size", out var size) ? string.Join("×", size.EnumerateArray().Reverse().Select(v => v.GetInt32())) : "?";
            points.Add((label, r.GetProperty("ms_per_step").GetDouble()));
        }

        return points;
    }
}
