using System;
using System.Collections.Generic;
using Orleans;

namespace NeuralStyle.Orleans.Client;

/// <summary>A job's state at one moment, as its client sees it.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.JobSnapshot")]
public sealed record JobSnapshot
{
    /// <summary>Gets the job's id.</summary>
    /// <value>32 hexadecimal digits.</value>
    [Id(0)]
    public required string JobId { get; init; }

    /// <summary>Gets the status.</summary>
    /// <value>Queued, running or finished.</value>
    [Id(1)]
    public JobStatus Status { get; init; }

    /// <summary>Gets the number of iterations done.</summary>
    /// <value>From 0 to <see cref="TotalIterations"/>.</value>
    [Id(2)]
    public int Iteration { get; init; }

    /// <summary>Gets the number of iterations the job runs.</summary>
    /// <value>The iterations asked for.</value>
    [Id(3)]
    public int TotalIterations { get; init; }

    /// <summary>Gets the total loss at the last report.</summary>
    /// <value><see langword="null"/> before the first report.</value>
    [Id(4)]
    public double? Loss { get; init; }

    /// <summary>Gets the latest preview of the image (an encoded image file of the type <see cref="PreviewMediaType"/> names): while the job runs, the image at an iteration up to <see cref="Iteration"/>; once it succeeded, the result.</summary>
    /// <value><see langword="null"/> when no new preview came since the snapshot the watcher saw before.</value>
    [Id(5)]
    public byte[]? Preview { get; init; }

    /// <summary>Gets the media type of <see cref="Preview"/>: <c>image/jpeg</c> while the job runs, <c>image/png</c> for a finished job's result.</summary>
    /// <value><see langword="null"/> when <see cref="Preview"/> is.</value>
    [Id(13)]
    public string? PreviewMediaType { get; init; }

    /// <summary>Gets the error of a failed job.</summary>
    /// <value>A message, or <see langword="null"/>.</value>
    [Id(6)]
    public string? Error { get; init; }

    /// <summary>Gets the name of the silo the job runs (or ran) on.</summary>
    /// <value>A silo name, or <see langword="null"/> before the job started.</value>
    [Id(7)]
    public string? Silo { get; init; }

    /// <summary>Gets the iterations the job resumed from after its silo was lost, in order.</summary>
    /// <value>Empty when the job ran without interruption.</value>
    [Id(8)]
    public IReadOnlyList<int> ResumedFrom { get; init; } = [];

    /// <summary>Gets when the job was submitted.</summary>
    /// <value>A UTC time.</value>
    [Id(9)]
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Gets when a finished job's result will be deleted.</summary>
    /// <value><see langword="null"/> while the job is unfinished.</value>
    [Id(10)]
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets the version of this snapshot within its activation; watchers pass it back to wait for the next change.</summary>
    /// <value>Increases with every change.</value>
    [Id(11)]
    public long Version { get; init; }

    /// <summary>Gets the id of the grain activation that made the snapshot; a new one (after a silo was lost) restarts <see cref="Version"/>.</summary>
    /// <value>An opaque id.</value>
    [Id(12)]
    public string Activation { get; init; } = string.Empty;

    /// <summary>Gets a value indicating whether the job has finished (succeeded, failed or was cancelled).</summary>
    /// <value><see langword="true"/> for a finished job.</value>
    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}
