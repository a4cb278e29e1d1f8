using System;
using System.Collections.Generic;
using NeuralStyle.Orleans.Client;
using Orleans;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>What a job was asked to do; written once, at submission.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.JobInputs")]
internal sealed class JobInputs
{
    [Id(0)]
    public string Owner { get; set; } = string.Empty;

    [Id(1)]
    public StyleJobRequest? Request { get; set; }

    [Id(2)]
    public DateTimeOffset SubmittedAt { get; set; }
}

/// <summary>How far a job got; written at start, at each checkpoint and at the end.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.JobProgress")]
internal sealed class JobProgress
{
    [Id(0)]
    public JobStatus Status { get; set; }

    [Id(1)]
    public int Iteration { get; set; }

    [Id(2)]
    public int TotalIterations { get; set; }

    [Id(3)]
    public double? Loss { get; set; }

    /// <summary>The iteration of the checkpoint (0: none).</summary>
    [Id(4)]
    public int CheckpointIteration { get; set; }

    /// <summary>The optimiser checkpoint after <see cref="CheckpointIteration"/> iterations (<see cref="Optimization.OptimizerCheckpoint.ToBytes"/>).</summary>
    [Id(5)]
    public byte[]? Checkpoint { get; set; }

    [Id(6)]
    public byte[]? Result { get; set; }

    [Id(7)]
    public string? Error { get; set; }

    [Id(8)]
    public string? Silo { get; set; }

    [Id(9)]
    public List<int> ResumedFrom { get; set; } = [];

    [Id(10)]
    public DateTimeOffset? ExpiresAt { get; set; }

    [Id(11)]
    public int Starts { get; set; }

    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}

/// <summary>The persisted state of the index grains.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.JobIndexState")]
internal sealed class JobIndexState
{
    [Id(0)]
    public Dictionary<string, DateTimeOffset?> Jobs { get; set; } = [];
}

/// <summary>The persisted state of a client's job list.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.ClientJobsState")]
internal sealed class ClientJobsState
{
    [Id(0)]
    public List<string> Jobs { get; set; } = [];
}
