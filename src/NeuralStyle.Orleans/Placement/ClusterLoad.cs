using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Hosting;
using Orleans.Runtime;

namespace NeuralStyle.Orleans.Placement;

/// <summary>
/// This silo's view of the cluster's job loads, from the load board (<see cref="SiloLoadReporter"/>), and the placements it
/// made since: each job it places counts as waiting on the chosen silo until the next report, so that a burst of submissions
/// spreads over the silos instead of all going to the one that looked free.
/// </summary>
internal sealed class ClusterLoad(IOptions<NeuralStyleServiceOptions> options)
{
    private readonly object _gate = new();
    private readonly Random _random = new();
    private Dictionary<SiloAddress, SiloLoad> _loads = [];

    /// <summary>Gets the loads as this silo sees them now.</summary>
    public IReadOnlyList<SiloLoad> Loads
    {
        get
        {
            lock (_gate)
            {
                return [.. _loads.Values];
            }
        }
    }

    /// <summary>Replaces the view with the loads the silos reported.</summary>
    public void Update(IEnumerable<SiloLoad> loads)
    {
        var fresh = loads.ToDictionary(load => load.Silo);
        lock (_gate)
        {
            _loads = fresh;
        }
    }

    /// <summary>Chooses the silo for a new job among <paramref name="candidates"/> (<see cref="JobPlacementChoice"/>) and counts the job on it.</summary>
    public SiloAddress Place(IReadOnlyList<SiloAddress> candidates)
    {
        lock (_gate)
        {
            var chosen = JobPlacementChoice.Choose(candidates, silo => _loads.GetValueOrDefault(silo), options.Value.Placement, _random);
            if (_loads.TryGetValue(chosen, out var load))
            {
                _loads[chosen] = load with { Waiting = load.Waiting + 1 };
            }

            return chosen;
        }
    }
}
