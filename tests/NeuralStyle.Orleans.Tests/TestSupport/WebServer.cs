using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using NeuralStyle.Orleans.Hosting;
using NeuralStyle.Server;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>The process <c>neural-style serve</c> runs, on free loopback ports with state in a temporary directory.</summary>
internal sealed class WebServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private WebServer(WebApplication app, string data, Uri address)
    {
        _app = app;
        _data = data;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<WebServer> StartAsync(Action<NeuralStyleServiceOptions>? configure = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "neuralstyle-serve-" + Guid.NewGuid().ToString("N"));
        var settings = new ServerSettings
        {
            Url = "http://127.0.0.1:0",
            DataDirectory = data,
            SiloPort = FreePort(),
            GatewayPort = FreePort(),
            Device = "cpu",
            WeightsPath = TestAssets.Weights,
        };
        var app = ServerHost.Build(settings, o =>
        {
            o.PreviewInterval = 5;
            configure?.Invoke(o);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebServer(app, data, new Uri(address));
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
