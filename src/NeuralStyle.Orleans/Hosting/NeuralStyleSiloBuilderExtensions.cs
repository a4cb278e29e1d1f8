using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Placement;
using NeuralStyle.Orleans.Storage;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace NeuralStyle.Orleans.Hosting;

/// <summary>Adds the style-transfer job service to an Orleans silo.</summary>
public static class NeuralStyleSiloBuilderExtensions
{
    /// <summary>The name of the grain storage the jobs use; register one under it (<see cref="AddNeuralStyleFileStorage"/>, Redis, …).</summary>
    public const string StorageName = "neuralstyle";

    /// <summary>Makes this silo run style-transfer jobs: the job grains, this silo's capacity, the placement of jobs by accelerator and free capacity, and the sweep that resumes and expires jobs.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets this silo's options (capacity, checkpoint interval, retention, limits).</param>
    /// <returns>The builder.</returns>
    /// <remarks>The jobs keep their state in the grain storage named <see cref="StorageName"/>, which the host registers.</remarks>
    /// <exception cref="ArgumentException">An option is out of range (when the silo starts).</exception>
    public static ISiloBuilder AddNeuralStyle(this ISiloBuilder builder, Action<NeuralStyleServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<NeuralStyleServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobSlots>();
        builder.Services.AddHostedService<JobSweeper>();

        // Jobs go to silos by accelerator and free capacity, from the loads the silos report.
        builder.Services.AddSingleton<ClusterLoad>();
        builder.Services.AddHostedService<SiloLoadReporter>();
        builder.AddPlacementDirector<JobPlacement, JobPlacementDirector>();
        return builder;
    }

    /// <summary>Keeps the jobs' state in files under <paramref name="directory"/>: for one machine (one process, or silos sharing the directory), no other software needed.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="directory">The directory; created when missing. Nothing is read or written outside it.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public static ISiloBuilder AddNeuralStyleFileStorage(this ISiloBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        builder.Services.AddGrainStorage(StorageName, (services, _) => new FileGrainStorage(directory, services.GetRequiredService<Serializer>()));
        return builder;
    }
}
