using System;
using System.Threading.Tasks;
using Orleans;

namespace NeuralStyle.Orleans.Placement;

/// <summary>The cluster's board of silo loads (key 0): each silo posts its own and reads everyone's.</summary>
[Alias("NeuralStyle.Orleans.ISiloLoadBoardGrain")]
internal interface ISiloLoadBoardGrain : IGrainWithIntegerKey
{
    /// <summary>Records a silo's load, kept for <paramref name="keepFor"/> unless posted again, and returns every load on the board.</summary>
    [Alias("Post")]
    Task<SiloLoad[]> PostAsync(SiloLoad load, TimeSpan keepFor);
}
