using Orleans;
using Orleans.Runtime;

namespace NeuralStyle.Orleans.Placement;

/// <summary>A silo's job load as it reported it: what it computes on, its capacity, and the jobs it runs and holds waiting.</summary>
[GenerateSerializer]
[Immutable]
[Alias("NeuralStyle.Orleans.SiloLoad")]
internal sealed record SiloLoad
{
    [Id(0)]
    public required SiloAddress Silo { get; init; }

    [Id(1)]
    public bool Gpu { get; init; }

    [Id(2)]
    public int Capacity { get; init; } = 1;

    [Id(3)]
    public int Running { get; init; }

    [Id(4)]
    public int Waiting { get; init; }

    /// <summary>Gets whether a new job would start at once.</summary>
    public bool HasFreeSlot => Running + Waiting < Capacity;

    /// <summary>Gets the jobs per slot, running and waiting: how long a new job would wait, in job lengths.</summary>
    public double LoadPerSlot => (double)(Running + Waiting) / Capacity;
}
