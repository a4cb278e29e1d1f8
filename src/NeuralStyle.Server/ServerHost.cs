using System;
using System.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NeuralStyle.Orleans.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;

namespace NeuralStyle.Server;

/// <summary>Builds the one process of <c>neural-style serve</c>: an Orleans silo running jobs, and the web page and HTTP API in front of it.</summary>
internal static class ServerHost
{
    public static WebApplication Build(ServerSettings settings, Action<NeuralStyleServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(settings.Url);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = "neural-style";
            });
            if (settings.Redis is { } redis)
            {
                // A cluster: membership and job state in Redis; every silo the same code.
                silo.UseRedisClustering(redis);
                silo.AddRedisGrainStorage(NeuralStyleSiloBuilderExtensions.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                silo.ConfigureEndpoints(System.Net.IPAddress.Loopback, settings.SiloPort, settings.GatewayPort);
            }
            else
            {
                // One process, nothing else needed: localhost clustering and job state in files.
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
                silo.AddNeuralStyleFileStorage(Path.GetFullPath(settings.DataDirectory));
            }

            silo.AddNeuralStyle(o =>
            {
                o.Capacity = settings.Capacity;
                o.Device = settings.Device;
                o.WeightsPath = settings.WeightsPath;
                o.ResultRetention = settings.ResultRetention;
                configure?.Invoke(o);
            });
        });
        builder.Services.AddOpenApi();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Room for the content and the most styles at the largest upload each, plus form overhead; more is 413.
            var probe = new NeuralStyleServiceOptions();
            configure?.Invoke(probe);
            k.Limits.MaxRequestBodySize = (long)probe.Limits.MaxUploadBytes * (probe.Limits.MaxStyles + 1) + 64 * 1024;
        });
        var app = builder.Build();
        app.MapOpenApi();
        app.MapGet("/", () => Results.Content(Samples.Page(), "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapJobApi();
        return app;
    }
}
