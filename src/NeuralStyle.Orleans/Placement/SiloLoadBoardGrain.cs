using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Orleans;
using Orleans.Runtime;

namespace NeuralStyle.Orleans.Placement;

/// <summary>
/// Holds each silo's last posted load in memory. Nothing is persisted: a new activation (its silo gone) is full again
/// after one report interval, and a silo that stops posting drops off when its entry expires.
/// </summary>
internal sealed class SiloLoadBoardGrain : Grain, ISiloLoadBoardGrain
{
    private readonly Dictionary<SiloAddress, (SiloLoad Load, DateTimeOffset Expires)> _loads = [];

    public Task<SiloLoad[]> PostAsync(SiloLoad load, TimeSpan keepFor)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = DateTimeOffset.UtcNow;
        _loads[load.Silo] = (load, now + keepFor);
        foreach (var expired in _loads.Where(entry => entry.Value.Expires < now).Select(entry => entry.Key).ToArray())
        {
            _loads.Remove(expired);
        }

        return Task.FromResult(_loads.Values.Select(entry => entry.Load).ToArray());
    }
}
