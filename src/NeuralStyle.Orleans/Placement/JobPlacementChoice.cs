using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Orleans.Hosting;
using Orleans.Runtime;

namespace NeuralStyle.Orleans.Placement;

/// <summary>
/// Where a new job goes, given the live silos and their reported loads: the first non-empty group in the policy's order
/// (<see cref="JobPlacementPolicy"/>), and within it the silo with the fewest jobs per slot (a random one among equals).
/// Silos that have not reported yet are chosen only when none has.
/// </summary>
internal static class JobPlacementChoice
{
    public static SiloAddress Choose(IReadOnlyList<SiloAddress> candidates, Func<SiloAddress, SiloLoad?> loadOf, JobPlacementPolicy policy, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException("No live silo runs style-transfer jobs.");
        }

        var known = candidates.Select(loadOf).OfType<SiloLoad>().ToArray();
        if (known.Length == 0)
        {
            return candidates[random.Next(candidates.Count)];
        }

        var group = Groups(known, policy).First(g => g.Length > 0);
        var least = group.Min(load => load.LoadPerSlot);
        var best = group.Where(load => load.LoadPerSlot == least).ToArray();
        return best[random.Next(best.Length)].Silo;
    }

    /// <summary>The groups of silos in the order the policy tries them; the last holds every known silo the policy allows.</summary>
    private static IEnumerable<SiloLoad[]> Groups(SiloLoad[] known, JobPlacementPolicy policy)
    {
        var gpus = known.Where(load => load.Gpu).ToArray();
        var cpus = known.Where(load => !load.Gpu).ToArray();
        var free = static (SiloLoad[] loads) => loads.Where(load => load.HasFreeSlot).ToArray();
        switch (policy)
        {
            case JobPlacementPolicy.LeastLoaded:
                yield return free(known);
                yield return known;
                break;
            case JobPlacementPolicy.GpuOnly when gpus.Length > 0:
                yield return free(gpus);
                yield return gpus;
                break;
            case JobPlacementPolicy.GpuFirst when gpus.Length > 0:
                yield return free(gpus);
                yield return free(cpus);
                yield return gpus;
                break;
            default:
                // No GPU silo is up: the CPU silos take the jobs.
                yield return free(cpus);
                yield return cpus;
                break;
        }
    }
}
