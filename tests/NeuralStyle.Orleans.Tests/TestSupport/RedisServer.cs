using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Xunit;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>
/// A real Redis server: the one named by <c>NEURALSTYLE_REDIS</c> (host:port; .ci/run starts one), or else a private
/// <c>redis-server</c> on a free loopback port when the binary is installed. Without either the Redis tests are skipped,
/// and fail under CI=true.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process? _process;

    private RedisServer(string connection, Process? process)
    {
        Connection = connection;
        _process = process;
    }

    public string Connection { get; }

    public static async Task<RedisServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("NEURALSTYLE_REDIS");
        if (!string.IsNullOrEmpty(configured))
        {
            return await ReachableAsync(configured) ? new RedisServer(configured, null) : Unavailable($"NEURALSTYLE_REDIS={configured} is not reachable.");
        }

        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefaultExisting();
        if (binary is null)
        {
            return Unavailable("No Redis server: set NEURALSTYLE_REDIS or install redis-server.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo(binary, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var connection = $"127.0.0.1:{port}";
        for (var i = 0; i < 50 && !await ReachableAsync(connection); i++)
        {
            await Task.Delay(100);
        }

        return new RedisServer(connection, process);
    }

    public Cluster NewCluster() => new(Connection, "ns-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
    }

    private static RedisServer Unavailable(string reason)
    {
        if (TestAssets.IsCi)
        {
            throw new InvalidOperationException(reason + " CI=true requires Redis (.ci/run starts one).");
        }

        Assert.Skip(reason);
        return null!;
    }

    private static async Task<bool> ReachableAsync(string connection)
    {
        var parts = connection.Split(':');
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A cluster's ids on this server.</summary>
    public sealed record Cluster(string Connection, string ClusterId);
}

internal static class PathExtensions
{
    public static string? FirstOrDefaultExisting(this string[] paths) => Array.Find(paths, File.Exists);
}
