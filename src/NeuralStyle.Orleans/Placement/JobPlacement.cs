using System;
using System.Threading.Tasks;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace NeuralStyle.Orleans.Placement;

/// <summary>The placement of job grains: by accelerator and free capacity (<see cref="JobPlacementChoice"/>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("NeuralStyle.Orleans.JobPlacement")]
internal sealed class JobPlacement : PlacementStrategy
{
    internal static readonly JobPlacement Instance = new();
}

/// <summary>Places a grain class's activations by <see cref="JobPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class JobPlacementAttribute : PlacementAttribute
{
    public JobPlacementAttribute()
        : base(JobPlacement.Instance)
    {
    }
}

/// <summary>Chooses a new job's silo from this silo's <see cref="ClusterLoad"/>, among the live silos that host jobs.</summary>
internal sealed class JobPlacementDirector(ClusterLoad load) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(load.Place(context.GetCompatibleSilos(target)));
    }
}
