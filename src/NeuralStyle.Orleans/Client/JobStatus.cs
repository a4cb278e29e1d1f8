namespace NeuralStyle.Orleans.Client;

/// <summary>Where a job stands.</summary>
public enum JobStatus
{
    /// <summary>Accepted and waiting for a free slot on its silo.</summary>
    Queued = 0,

    /// <summary>Being computed.</summary>
    Running = 1,

    /// <summary>Finished; the result can be fetched until it expires.</summary>
    Succeeded = 2,

    /// <summary>Ended with an error (see <see cref="JobSnapshot.Error"/>).</summary>
    Failed = 3,

    /// <summary>Cancelled by its client.</summary>
    Cancelled = 4,
}
