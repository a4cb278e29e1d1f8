using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// Runs every weight-file attack class of docs/security.md through <see cref="WeightFileReader"/> and checks its
/// outcome (parsed or refused). In the test run the inputs are small; eng/adversarial.sh runs one class per process at
/// a large scale (NEURALSTYLE_ADVERSARIAL_SCALE, NEURALSTYLE_ADVERSARIAL_CLASS) and appends a measured row (input size,
/// wall-clock and CPU time, the throughput by each, bytes allocated, the process's peak working set) to
/// NEURALSTYLE_ADVERSARIAL_REPORT. CPU time is the process's (all threads), so a machine busy with other work inflates
/// the wall-clock time but not it.
/// </summary>
public sealed class AdversarialMeasurementTests
{
    /// <summary>Each attack: its name, its file at a scale, and whether a file within the default limits is refused.</summary>
    internal static readonly (string Name, Func<int, byte[]> Build, bool Refused)[] Attacks =
    [
        ("colliding-int-keys", s => AdversarialWeights.CollidingIntegerKeys(Math.Min(2_000 * s, 450_000)), false),
        ("empty-dict-flood", s => AdversarialWeights.EmptyDictFlood(Math.Min(20_000 * s, 1_999_000)), false),
        ("small-tuple-flood", s => AdversarialWeights.SmallTupleFlood(Math.Min(10_000 * s, 999_000)), false),
        ("string-flood", s => AdversarialWeights.StringFlood(Math.Min(20_000 * s, 1_999_000)), false),
        ("opcode-flood", s => AdversarialWeights.OpcodeFlood(Math.Min(1_000_001 + (300_000 * s), 32_000_000)), true),
        ("memo-nesting", s => AdversarialWeights.MemoNesting(20_000 * s), true),
        ("deep-tuples", s => AdversarialWeights.DeepTuples(100_000 * s), true),
        ("huge-declared-storage", _ => AdversarialWeights.HugeDeclaredStorage((1L << 28) - 4096), true),
        ("many-zip-entries", s => AdversarialWeights.ManyZipEntries(1_100 * s), true),
        ("lying-zip-entry-count", _ => AdversarialWeights.LyingZipEntryCount(65_535), true),
        ("non-finite", s => AdversarialWeights.NonFinite(Math.Min(100_000 * s, (1 << 24) - 1)), true),
        ("largest-valid-safetensors", s => LargestValid(Math.Min(100_000 * s, (1 << 24) - 1)), false),
    ];

    [Fact]
    public void Every_attack_class_ends_as_expected()
    {
        var scale = Math.Max(1, AdversarialWeights.LongModeScale);
        var only = Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_CLASS");
        var report = Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_REPORT");
        var rows = new List<string>();
        foreach (var (name, build, refused) in Attacks.Where(a => string.IsNullOrEmpty(only) || a.Name == only))
        {
            Read(build(1), name); // JIT the path first, so that the measurement is of the parse
            var file = build(scale);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = CpuTime();
            var stopwatch = Stopwatch.StartNew();
            string outcome;
            try
            {
                var tensors = WeightFileReader.ReadBytes(file, name, WeightReaderLimits.Default);
                outcome = string.Create(CultureInfo.InvariantCulture, $"parsed ({tensors.Count} tensors)");
                refused.Should().BeFalse($"{name} should have been refused");
            }
            catch (WeightFormatException ex)
            {
                outcome = "refused: " + ex.Message[(ex.Message.IndexOf(':', StringComparison.Ordinal) + 2)..];
                refused.Should().BeTrue($"{name} should have parsed, but: {ex.Message}");
            }

            var seconds = stopwatch.Elapsed.TotalSeconds;
            var cpuSeconds = (CpuTime() - cpu).TotalSeconds;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            using var process = Process.GetCurrentProcess();
            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {file.Length / 1e6:0.###} MB | {seconds:0.###} s | {cpuSeconds:0.###} s | {Rate(file.Length, seconds)} | {Rate(file.Length, cpuSeconds)} | {allocated / 1e6:0.#} MB | {process.PeakWorkingSet64 / 1e6:0} MB | {Shorten(outcome)} |"));
        }

        rows.Should().NotBeEmpty();
        if (!string.IsNullOrEmpty(report))
        {
            File.AppendAllLines(report, rows);
        }
    }

    private static void Read(byte[] file, string name)
    {
        try
        {
            WeightFileReader.ReadBytes(file, name, WeightReaderLimits.Default);
        }
        catch (WeightFormatException)
        {
            // Judged in the measured run.
        }
    }

    private static byte[] LargestValid(int elements)
        => SafeTensorsFile.Build([("features.0.weight", "F32", [elements], Bytes.Float32(new float[elements]))]);

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string Rate(long bytes, double seconds)
        => seconds < 0.005 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6 / seconds:0.#} MB/s");

    private static string Shorten(string text) => (text.Length <= 110 ? text : text[..110] + "…").Replace('|', '/');
}
