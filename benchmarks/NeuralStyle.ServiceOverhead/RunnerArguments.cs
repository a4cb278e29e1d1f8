using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using NeuralStyle.Orleans.Hosting;

namespace NeuralStyle.ServiceOverhead;

/// <summary>What the runner measures: the inputs, the job's size and length, and how many pairs of runs.</summary>
internal sealed record RunnerArguments(string Content, string Style, string? Weights, int Size, int Iterations, int Pairs, int Threads, string Device, int PreviewInterval, int PreviewMinimumMilliseconds, int CheckpointInterval, string Paths, int Warmup)
{
    public const string Usage = "--content PATH --style PATH [--weights PATH] [--size 256] [--iterations 200] [--pairs 5] [--threads 1] [--device cpu] [--preview-interval 10] [--preview-minimum-ms 2000] [--checkpoint-interval 20] [--path both|plain|service] [--warmup 1]";

    public static RunnerArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected '--name value' pairs; '{args[i]}' is not one.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        string File(string name) => values.TryGetValue(name, out var path) && System.IO.File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new ArgumentException($"--{name} must name an existing image file.");
        int Number(string name, int fallback, int min, int max)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--{name} must be a whole number from {min} to {max} (got '{text}')."));
        }

        var known = new HashSet<string>(StringComparer.Ordinal) { "content", "style", "weights", "size", "iterations", "pairs", "threads", "device", "preview-interval", "preview-minimum-ms", "checkpoint-interval", "path", "warmup" };
        foreach (var name in values.Keys)
        {
            if (!known.Contains(name))
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }
        }

        return new RunnerArguments(
            File("content"),
            File("style"),
            values.GetValueOrDefault("weights"),
            Number("size", 256, 32, 4096),
            Number("iterations", 200, 1, 100_000),
            Number("pairs", 5, 1, 1000),
            Number("threads", 1, 1, 1024),
            values.GetValueOrDefault("device") ?? "cpu",
            Number("preview-interval", 10, 1, 100_000),
            Number("preview-minimum-ms", (int)new NeuralStyleServiceOptions().PreviewMinimumInterval.TotalMilliseconds, 0, 3_600_000),
            Number("checkpoint-interval", 20, 1, 100_000),
            values.GetValueOrDefault("path") is { } path
                ? (path is "both" or "plain" or "service" ? path : throw new ArgumentException($"--path must be both, plain or service (got '{path}')."))
                : "both",
            Number("warmup", 1, 1, 100));
    }
}
