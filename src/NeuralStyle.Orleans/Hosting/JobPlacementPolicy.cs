namespace NeuralStyle.Orleans.Hosting;

/// <summary>How a new job chooses its silo among GPU and CPU silos (<see cref="NeuralStyleServiceOptions.Placement"/>); among equals, the least loaded per slot.</summary>
public enum JobPlacementPolicy
{
    /// <summary>A GPU silo with a free slot; else a CPU silo with a free slot; else the queue of the least loaded GPU silo (a CPU silo's only when the cluster has no GPU silo).</summary>
    GpuFirst,

    /// <summary>GPU silos only, queueing when they are busy; CPU silos take jobs only when the cluster has no GPU silo.</summary>
    GpuOnly,

    /// <summary>Any silo with a free slot, else the least loaded queue, whatever it computes on.</summary>
    LeastLoaded,
}
