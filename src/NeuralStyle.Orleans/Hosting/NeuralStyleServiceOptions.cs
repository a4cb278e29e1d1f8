using System;

namespace NeuralStyle.Orleans.Hosting;

/// <summary>How a silo runs style-transfer jobs: its capacity, checkpoints, retention and the limits on what a job may ask for.</summary>
public sealed class NeuralStyleServiceOptions
{
    /// <summary>Gets or sets the number of jobs this silo runs at once (for example one per GPU, or one per CPU silo); further jobs wait, served in turn across clients.</summary>
    /// <value>Default 1; from 1 to 256.</value>
    public int Capacity { get; set; } = 1;

    /// <summary>
    /// Gets or sets how often a running job saves its optimiser checkpoint (the image and Adam's state), in iterations; a job
    /// whose silo dies resumes from its last checkpoint and ends on the image it would have ended on without the failure.
    /// </summary>
    /// <value>Default 20; from 1 to 100,000. A checkpoint takes 36 bytes per pixel (<c>OptimizerCheckpoint.MaxByteCount</c>).</value>
    public int CheckpointInterval { get; set; } = 20;

    /// <summary>Gets or sets how often a running job reports its progress and offers a preview, in iterations (see also <see cref="PreviewMinimumInterval"/>).</summary>
    /// <value>Default 10; from 1 to 100,000.</value>
    public int PreviewInterval { get; set; } = 10;

    /// <summary>
    /// Gets or sets the least time between two previews a running job publishes: of the previews offered every
    /// <see cref="PreviewInterval"/> iterations, one passes (the first always), then none until this much time has gone by.
    /// Each preview costs the job a conversion, a JPEG encoding and a message to every watcher, however fast the iterations are.
    /// </summary>
    /// <value>Default 2 seconds; from zero (every offered preview) to 1 hour.</value>
    public TimeSpan PreviewMinimumInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how long a finished job's result is kept when nobody fetches it.</summary>
    /// <value>Default 24 hours.</value>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how long a result is kept after it was first fetched (for a retried download).</summary>
    /// <value>Default 10 minutes; zero deletes it at the next sweep.</value>
    public TimeSpan FetchedResultRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how often each silo sweeps the job index: it wakes unfinished jobs (which resumes those whose silo died) and deletes expired ones.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the number of CPU threads each job's libtorch computation uses.</summary>
    /// <value>Default 1 (jobs run side by side; see <see cref="Capacity"/>); <see langword="null"/> leaves libtorch's choice.</value>
    public int? ThreadsPerJob { get; set; } = 1;

    /// <summary>Gets or sets the device jobs run on.</summary>
    /// <value><c>auto</c> (default), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</value>
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets what this silo computes on, as job placement sees it (<see cref="Placement"/>).</summary>
    /// <value>Default <see cref="SiloAccelerator.Auto"/>: from <see cref="Device"/>.</value>
    public SiloAccelerator Accelerator { get; set; }

    /// <summary>Gets or sets how new jobs choose among GPU and CPU silos; set the same on every silo of a cluster (the silo that places a job applies its own).</summary>
    /// <value>Default <see cref="JobPlacementPolicy.GpuFirst"/>.</value>
    public JobPlacementPolicy Placement { get; set; }

    /// <summary>Gets or sets how often this silo reports its load (capacity, running and waiting jobs) to job placement.</summary>
    /// <value>Default 1 second.</value>
    public TimeSpan LoadReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the SqueezeNet 1.1 weight file.</summary>
    /// <value>Default <see langword="null"/>: the library's lookup (<c>NEURALSTYLE_WEIGHTS</c>, the cache, a verified download).</value>
    public string? WeightsPath { get; set; }

    /// <summary>Gets the limits on what a job may ask for, checked before any work.</summary>
    /// <value>The limits.</value>
    public JobLimits Limits { get; } = new();

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Check(Capacity is >= 1 and <= 256, nameof(Capacity), "must be between 1 and 256");
        Check(CheckpointInterval is >= 1 and <= 100_000, nameof(CheckpointInterval), "must be between 1 and 100,000");
        Check(PreviewInterval is >= 1 and <= 100_000, nameof(PreviewInterval), "must be between 1 and 100,000");
        Check(PreviewMinimumInterval >= TimeSpan.Zero && PreviewMinimumInterval <= TimeSpan.FromHours(1), nameof(PreviewMinimumInterval), "must be between zero and 1 hour");
        Check(ResultRetention >= TimeSpan.Zero, nameof(ResultRetention), "must not be negative");
        Check(FetchedResultRetention >= TimeSpan.Zero, nameof(FetchedResultRetention), "must not be negative");
        Check(SweepInterval > TimeSpan.Zero, nameof(SweepInterval), "must be positive");
        Check(ThreadsPerJob is null or (>= 1 and <= 1024), nameof(ThreadsPerJob), "must be between 1 and 1024 (or null)");
        Check(!string.IsNullOrWhiteSpace(Device), nameof(Device), "must be 'auto', 'cpu', 'cuda' or 'cuda:N'");
        Check(Enum.IsDefined(Accelerator), nameof(Accelerator), "must be Auto, Gpu or Cpu");
        Check(Enum.IsDefined(Placement), nameof(Placement), "must be GpuFirst, GpuOnly or LeastLoaded");
        Check(LoadReportInterval > TimeSpan.Zero, nameof(LoadReportInterval), "must be positive");
        Limits.Validate();
    }

    internal static void Check(bool ok, string name, string requirement)
    {
        if (!ok)
        {
            // The message names the option; no parameter name, which would add "(Parameter ...)" to it.
            throw new ArgumentException($"NeuralStyleServiceOptions.{name} {requirement}.");
        }
    }
}
