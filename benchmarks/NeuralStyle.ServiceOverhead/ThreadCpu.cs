using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NeuralStyle.ServiceOverhead;

/// <summary>
/// The CPU time of each of the process's threads (Linux: <c>/proc/self/task/*/stat</c>), so that a run's CPU time can be
/// split inside one process: the threads that ended during the run (the run's own optimisation thread, started and ended
/// by the library) against the threads that outlived it (the thread pool, Orleans, the runtime), whatever the machine's speed.
/// </summary>
internal sealed class ThreadCpu
{
    private static readonly double SecondsPerTick = 1.0 / 100;
    private readonly Dictionary<int, (string Name, long Ticks)> _threads;

    private ThreadCpu(Dictionary<int, (string Name, long Ticks)> threads) => _threads = threads;

    /// <summary>Gets whether the split is available (it reads Linux's <c>/proc</c>).</summary>
    public static bool Available => Directory.Exists("/proc/self/task");

    /// <summary>Reads every thread's CPU time now.</summary>
    public static ThreadCpu Now()
    {
        var threads = new Dictionary<int, (string, long)>();
        if (!Available)
        {
            return new ThreadCpu(threads);
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                // The name is in parentheses and may hold spaces; the fields after it are space-separated (utime: 14th, stime: 15th).
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                threads[int.Parse(Path.GetFileName(directory), CultureInfo.InvariantCulture)] = (stat[(open + 1)..close], ticks);
            }
            catch (IOException)
            {
                // The thread ended while being read: its time counts with the threads that ended.
            }
        }

        return new ThreadCpu(threads);
    }

    /// <summary>
    /// The CPU seconds each group of threads took between <paramref name="before"/> and this reading: the surviving
    /// threads by name (a thread that started meanwhile counts from zero), and the rest of the process's
    /// <paramref name="processCpuSeconds"/> as "ended during the run".
    /// </summary>
    public IReadOnlyDictionary<string, double> Since(ThreadCpu before, double processCpuSeconds)
    {
        var groups = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var surviving = 0.0;
        foreach (var (id, (name, ticks)) in _threads)
        {
            var seconds = (ticks - (before._threads.TryGetValue(id, out var old) ? old.Ticks : 0)) * SecondsPerTick;
            surviving += seconds;
            groups[name] = groups.GetValueOrDefault(name) + seconds;
        }

        groups[EndedDuringRun] = Math.Max(0, processCpuSeconds - surviving);
        return groups.Where(g => g.Value > 0).ToDictionary(g => g.Key, g => Math.Round(g.Value, 2), StringComparer.Ordinal);
    }

    /// <summary>The group of the threads that ended during the run (the run's own optimisation thread).</summary>
    public const string EndedDuringRun = "(ended during the run)";
}
