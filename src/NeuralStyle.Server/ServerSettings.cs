using System;

namespace NeuralStyle.Server;

/// <summary>What <c>neural-style serve</c> was asked for: where to listen, where to keep state, and which cluster to join.</summary>
internal sealed record ServerSettings
{
    /// <summary>Gets the HTTP address, for example <c>http://127.0.0.1:5000</c>.</summary>
    public string Url { get; init; } = "http://127.0.0.1:5000";

    /// <summary>Gets the directory for job state when running alone (no Redis).</summary>
    public string DataDirectory { get; init; } = "neural-style-data";

    /// <summary>Gets the Redis connection string; when set the silo joins the cluster kept there and stores its jobs there.</summary>
    public string? Redis { get; init; }

    /// <summary>Gets the cluster's id (silos with the same id and Redis form one cluster).</summary>
    public string ClusterId { get; init; } = "neural-style";

    /// <summary>Gets the silo-to-silo port.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Gets the client gateway port.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Gets the jobs this silo runs at once.</summary>
    public int Capacity { get; init; } = 1;

    /// <summary>Gets the device jobs run on.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Gets the weight file, or <see langword="null"/> for the library's lookup.</summary>
    public string? WeightsPath { get; init; }

    /// <summary>Gets how long an unfetched result is kept.</summary>
    public TimeSpan ResultRetention { get; init; } = TimeSpan.FromHours(24);
}
