using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Hosting;
using Orleans;
using Orleans.Hosting;

namespace NeuralStyle.ServiceOverhead;

/// <summary>
/// The distributed path as a client sees it: a silo as <c>neural-style serve</c> runs it (localhost clustering, file
/// storage), and a separate Orleans client host that reaches it through the gateway over loopback, so uploads, progress and
/// the result are serialised and sent as they are to a remote client.
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly IHost _silo;
    private readonly IHost _client;
    private readonly string _storage;

    private ServiceUnderTest(IHost silo, IHost client, string storage, NeuralStyleServiceOptions options)
    {
        _silo = silo;
        _client = client;
        _storage = storage;
        Options = options;
        Jobs = new StyleJobClient(client.Services.GetRequiredService<IClusterClient>(), "service-overhead-" + Guid.NewGuid().ToString("N"));
        Stopping = silo.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    }

    /// <summary>Gets a token cancelled when the process is asked to stop (Ctrl+C, SIGTERM): the runner stops its runs and cleans up.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Gets the silo's settings (what the jobs run with).</summary>
    public NeuralStyleServiceOptions Options { get; }

    /// <summary>Gets the client.</summary>
    public StyleJobClient Jobs { get; }

    public static async Task<ServiceUnderTest> StartAsync(Action<NeuralStyleServiceOptions> configure)
    {
        var storage = Path.Combine(Path.GetTempPath(), "neuralstyle-overhead-" + Guid.NewGuid().ToString("N"));
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var siloBuilder = Host.CreateApplicationBuilder();
        siloBuilder.Logging.ClearProviders();
        siloBuilder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort)
            .AddNeuralStyleFileStorage(storage)
            .AddNeuralStyle(configure));
        var silo = siloBuilder.Build();
        await silo.StartAsync().ConfigureAwait(false);

        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.Logging.ClearProviders();
        clientBuilder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort));
        var client = clientBuilder.Build();
        await client.StartAsync().ConfigureAwait(false);

        var options = new NeuralStyleServiceOptions();
        configure(options);
        return new ServiceUnderTest(silo, client, storage, options);
    }

    /// <summary>Submits the job, watches it to the end (previews included, as the web page does) and fetches the result.</summary>
    public async Task<byte[]> RunAsync(StyleJobRequest request)
    {
        var id = await Jobs.SubmitAsync(request, Stopping).ConfigureAwait(false);
        JobSnapshot? last = null;
        await foreach (var snapshot in Jobs.WatchAsync(id, Stopping).ConfigureAwait(false))
        {
            last = snapshot;
        }

        return last?.Status == JobStatus.Succeeded
            ? await Jobs.GetResultAsync(id, Stopping).ConfigureAwait(false)
            : throw new InvalidOperationException($"The job ended {last?.Status}: {last?.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync().ConfigureAwait(false);
        _client.Dispose();
        await _silo.StopAsync().ConfigureAwait(false);
        _silo.Dispose();
        Directory.Delete(_storage, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
