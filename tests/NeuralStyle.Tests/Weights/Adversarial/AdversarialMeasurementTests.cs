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
        ("colliding-int-keys", s => AdversarialWeights.CollidingIntegerKeys(Math.Min(2_000 * s, 5_500_000)), true),
        ("empty-dict-flood", s => AdversarialWeights.EmptyDictFlood(Math.Min(20_000 * s, 60_000_000)), true),
        ("empty-list-flood", s => AdversarialWeights.EmptyListFlood(Math.Min(20_000 * s, 60_000_000)), true),
        ("small-tuple-flood", s => AdversarialWeights.SmallTupleFlood(Math.Min(10_000 * s, 30_000_000)), true),
        ("string-flood", s => AdversarialWeights.StringFlood(Math.Min(10_000 * s, 20_000_000)), true),
        ("stack-flood", s => AdversarialWeights.StackFlood(Math.Min(20_000 * s, 60_000_000)), true),
        ("dup-flood", s => AdversarialWeights.DupFlood(Math.Min(20_000 * s, 60_000_000)), true),
        ("memo-get-flood", s => AdversarialWeights.MemoGetFlood(Math.Min(10_000 * s, 30_000_000)), true),
        ("memo-put-flood", s => AdversarialWeights.MemoPutFlood(Math.Min(10_000 * s, 65_000)), true),
        ("memo-jump", s => AdversarialWeights.MemoJump(Math.Min(10 * s, 1_000)), true),
        ("append-flood", s => AdversarialWeights.AppendFlood(Math.Min(10_000 * s, 30_000_000)), true),
        ("appends-flood", s => AdversarialWeights.AppendsFlood(Math.Min(20_000 * s, 60_000_000)), true),
        ("setitems-flood", s => AdversarialWeights.SetItemsFlood(Math.Min(10_000 * s, 20_000_000)), true),
        ("wide-tuple", s => AdversarialWeights.WideTuple(Math.Min(20_000 * s, 60_000_000)), true),
        ("spaced-dict-flood", s => AdversarialWeights.SpacedFlood(Math.Min(2_000 * s, 200_000), 49, p => p.EmptyDict()), false),
        ("spaced-tuple-flood", s => AdversarialWeights.SpacedFlood(Math.Min(1_500 * s, 150_000), 65, p => p.None().Tuple1()), false),
        ("spaced-string-flood", s => AdversarialWeights.SpacedFlood(Math.Min(2_000 * s, 200_000), 49, p => p.ShortStr("a")), false),
        ("mark-flood", s => AdversarialWeights.MarkFlood(Math.Min(9_000 * s, 900_000)), false),
        ("opcode-flood", s => AdversarialWeights.OpcodeFlood(Math.Min(1_000_001 + (300_000 * s), 32_000_000)), true),
        ("memo-nesting", s => AdversarialWeights.MemoNesting(Math.Min(20_000 * s, 4_800_000)), true),
        ("deep-tuples", s => AdversarialWeights.DeepTuples(Math.Min(100_000 * s, 60_000_000)), true),
        ("deep-lists", s => AdversarialWeights.DeepLists(Math.Min(1_000 * s, 100_000)), true),
        ("huge-declared-storage", _ => AdversarialWeights.HugeDeclaredStorage((1L << 28) - 4096), true),
        ("many-zip-entries", s => AdversarialWeights.ManyZipEntries(Math.Min(1_100 * s, 580_000)), true),
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
