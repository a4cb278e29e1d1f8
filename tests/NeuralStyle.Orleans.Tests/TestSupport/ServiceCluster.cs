using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Orleans.Storage;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Hosting;
using Orleans.TestingHost;
using Microsoft.Extensions.Hosting;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>An in-process cluster of silos running the job service on file storage in a temporary directory.</summary>
internal sealed class ServiceCluster : IAsyncDisposable
{
    private readonly string _storage;
    private readonly List<JobSlots> _slots = [];

    private ServiceCluster(InProcessTestCluster cluster, string storage)
    {
        Cluster = cluster;
        _storage = storage;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The job slots of every silo that ever ran, killed ones included.</summary>
    public IReadOnlyList<JobSlots> AllSlots
    {
        get
        {
            foreach (var silo in Cluster.Silos)
            {
                var slots = silo.ServiceProvider.GetRequiredService<JobSlots>();
                if (!_slots.Contains(slots))
                {
                    _slots.Add(slots);
                }
            }

            return _slots;
        }
    }

    /// <param name="silos">The number of silos; named Silo_0, Silo_1, ….</param>
    /// <param name="configure">Sets every silo's options.</param>
    /// <param name="redis">Membership and state in Redis; <see langword="null"/>: files.</param>
    /// <param name="perSilo">Sets one silo's options, given its name (after <paramref name="configure"/>).</param>
    public static async Task<ServiceCluster> StartAsync(int silos, Action<NeuralStyleServiceOptions>? configure = null, RedisServer.Cluster? redis = null, Action<string, NeuralStyleServiceOptions>? perSilo = null)
    {
        var weights = TestAssets.Weights;
        var storage = Path.Combine(Path.GetTempPath(), "neuralstyle-orleans-" + Guid.NewGuid().ToString("N"));
        var builder = new InProcessTestClusterBuilder((short)silos);
        if (redis is not null)
        {
            // Membership and job state in Redis: a later cluster with the same ids finds the jobs.
            builder.Options.ClusterId = redis.ClusterId;
            builder.Options.ServiceId = redis.ClusterId;
            builder.ConfigureClient(client => client.UseRedisClustering(redis.Connection));
        }

        builder.ConfigureSilo((silo, siloBuilder) =>
        {
            siloBuilder.AddNeuralStyle(o =>
            {
                o.Capacity = 1;
                o.Device = "cpu";
                o.WeightsPath = weights;
                o.PreviewInterval = 5;
                o.CheckpointInterval = 10;
                o.SweepInterval = TimeSpan.FromMilliseconds(500);
                o.LoadReportInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(o);
                perSilo?.Invoke(silo.SiloName, o);
            });
            if (redis is null)
            {
                siloBuilder.AddNeuralStyleFileStorage(storage);

                // The same files, behind a wrapper that lets a test hold back one job's cancellation (HeldWriteStorage).
                siloBuilder.Services.AddGrainStorage(
                    NeuralStyleSiloBuilderExtensions.StorageName,
                    (services, _) => new HeldWriteStorage(new FileGrainStorage(storage, services.GetRequiredService<Serializer>())));
            }
            else
            {
                siloBuilder.UseRedisClustering(redis.Connection);
                siloBuilder.AddRedisGrainStorage(NeuralStyleSiloBuilderExtensions.StorageName, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis.Connection));
            }

            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var result = new ServiceCluster(cluster, storage);
        _ = result.AllSlots;
        return result;
    }

    public StyleJobClient NewClient(string? key = null) => new(Cluster.Client, key ?? TestAssets.NewKey());

    public static async Task<JobSnapshot> WaitFinishedAsync(StyleJobClient client, string jobId, TimeSpan timeout)
    {
        using var cts = new System.Threading.CancellationTokenSource(timeout);
        JobSnapshot? last = null;
        await foreach (var snapshot in client.WatchAsync(jobId, cts.Token))
        {
            last = snapshot;
        }

        return last ?? throw new InvalidOperationException("The watch ended without a snapshot.");
    }

    public async ValueTask DisposeAsync()
    {
        _ = AllSlots;
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public IEnumerable<string> CompletedJobs => AllSlots.SelectMany(s => s.Completed);
}
