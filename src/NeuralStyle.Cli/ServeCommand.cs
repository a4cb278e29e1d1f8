using System;
using System.CommandLine;
using System.IO;
using Microsoft.Extensions.Hosting;
using NeuralStyle.Server;

namespace NeuralStyle.Cli;

/// <summary>
/// <c>neural-style serve</c>: one process that is an Orleans silo running style-transfer jobs and the web page and HTTP
/// API in front of them. Alone it needs no other software (localhost clustering, job state in files under --data);
/// with --redis the same process joins a cluster whose membership and job state live in Redis.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServerSettings();
        var url = new Option<string>("--url") { Description = "The address the web page and HTTP API listen on.", DefaultValueFactory = _ => defaults.Url };
        var data = new Option<DirectoryInfo>("--data") { Description = "Where job state is kept when running alone.", DefaultValueFactory = _ => new DirectoryInfo(defaults.DataDirectory) };
        var redis = new Option<string?>("--redis") { Description = "A Redis connection string (e.g. 127.0.0.1:6379): join the cluster kept there." };
        var clusterId = new Option<string>("--cluster-id") { Description = "The cluster's id (with --redis).", DefaultValueFactory = _ => defaults.ClusterId };
        var siloPort = new Option<int>("--silo-port") { Description = "The silo-to-silo port.", DefaultValueFactory = _ => defaults.SiloPort };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "The client gateway port.", DefaultValueFactory = _ => defaults.GatewayPort };
        var capacity = new Option<int>("--capacity") { Description = "Jobs this silo runs at once (e.g. one per GPU).", DefaultValueFactory = _ => defaults.Capacity };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => defaults.Device };
        var weights = new Option<FileInfo?>("--weights") { Description = "SqueezeNet 1.1 weight file." };
        var command = new Command("serve", "Runs the style-transfer service: a silo, the web page and the HTTP API.")
        {
            url, data, redis, clusterId, siloPort, gatewayPort, capacity, device, weights,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new ServerSettings
            {
                Url = parse.GetValue(url)!,
                DataDirectory = parse.GetValue(data)!.FullName,
                Redis = parse.GetValue(redis),
                ClusterId = parse.GetValue(clusterId)!,
                SiloPort = parse.GetValue(siloPort),
                GatewayPort = parse.GetValue(gatewayPort),
                Capacity = parse.GetValue(capacity),
                Device = parse.GetValue(device)!,
                WeightsPath = parse.GetValue(weights)?.FullName,
            };
            await using var app = ServerHost.Build(settings);
            await app.StartAsync(ct).ConfigureAwait(false);
            await app.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
