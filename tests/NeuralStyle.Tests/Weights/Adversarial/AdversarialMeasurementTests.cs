using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// Runs every attack class of issue #14 (<see cref="AdversarialAttacks.All"/>: weight files, images, caches, special
/// files) through the library and checks its outcome (accepted or refused). In the test run the inputs are small;
/// eng/adversarial.sh runs one class per process at its largest size (NEURALSTYLE_ADVERSARIAL_SCALE,
/// NEURALSTYLE_ADVERSARIAL_CLASS; NEURALSTYLE_ADVERSARIAL_NAMES asks for their names) and appends a measured row to
/// NEURALSTYLE_ADVERSARIAL_REPORT: the input, wall-clock and CPU time, the throughput by CPU time, the managed bytes
/// allocated, the process's peak resident set during the class and how far it rose above the resident set before,
/// and the outcome. CPU time is the process's (all threads), so a machine busy with other work inflates the wall-clock
/// time but not it.
/// </summary>
public sealed class AdversarialMeasurementTests
{
    [Fact]
    public void Every_attack_class_ends_as_expected()
    {
        var scale = Math.Max(1, AdversarialWeights.LongModeScale);
        var only = Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_CLASS");
        var report = Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_REPORT");
        if (Environment.GetEnvironmentVariable("NEURALSTYLE_ADVERSARIAL_NAMES") is { Length: > 0 } names)
        {
            // eng/adversarial.sh asks for the classes' names, to run one per process.
            File.WriteAllLines(names, AdversarialAttacks.All.Select(a => a.Name));
            return;
        }

        var rows = new List<string>();
        foreach (var attack in AdversarialAttacks.All.Where(a => string.IsNullOrEmpty(only) || a.Name == only))
        {
            if (attack.Name.StartsWith("fifo", StringComparison.Ordinal) && !OperatingSystem.IsLinux())
            {
                continue;
            }

            Run(attack.Prepare(1)); // JIT the path first, so that the measurement is of the attack
            var input = attack.Prepare(scale);
            try
            {
                // What the generator and the warm-up left is handed back to the system, so that the rise is the attack's.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                var rssBefore = ResetPeak();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = CpuTime();
                var stopwatch = Stopwatch.StartNew();
                var outcome = input.Run();
                var seconds = stopwatch.Elapsed.TotalSeconds;
                var cpuSeconds = (CpuTime() - cpu).TotalSeconds;
                var peak = PeakRss();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

                outcome.StartsWith("refused", StringComparison.Ordinal).Should().Be(input.Refused, $"{attack.Name} ended: {outcome}");
                rows.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {attack.Name} | {attack.Item} | {input.Size} | {seconds:0.###} s | {cpuSeconds:0.###} s | {Rate(input.Bytes, cpuSeconds)} | {allocated / 1e6:0.#} MB | {peak / 1e6:0} MB | +{Math.Max(0, peak - rssBefore) / 1e6:0} MB | {Shorten(outcome)} |"));
            }
            finally
            {
                input.Cleanup?.Invoke();
            }
        }

        rows.Should().NotBeEmpty();
        if (!string.IsNullOrEmpty(report))
        {
            File.AppendAllLines(report, rows);
        }
    }

    private static void Run(AttackInput input)
    {
        try
        {
            input.Run();
        }
        finally
        {
            input.Cleanup?.Invoke();
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Resets the peak resident set to the current one where the system allows it (Linux); returns the current one.</summary>
    private static long ResetPeak()
    {
        if (OperatingSystem.IsLinux())
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return Status("VmRSS:");
        }

        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long PeakRss()
    {
        if (OperatingSystem.IsLinux())
        {
            return Status("VmHWM:");
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static long Status(string field)
        => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;

    private static string Rate(long bytes, double seconds)
        => bytes <= 0 || seconds < 0.005 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6 / seconds:0.#} MB/s");

    private static string Shorten(string text) => (text.Length <= 110 ? text : text[..110] + "…").Replace('|', '/');
}
