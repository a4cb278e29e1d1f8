using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Execution;
using NeuralStyle.Orleans.Hosting;
using Orleans;
using Orleans.Runtime;
using TorchSharp;

namespace NeuralStyle.Orleans.Placement;

/// <summary>
/// Runs on every silo: each <see cref="NeuralStyleServiceOptions.LoadReportInterval"/> it posts this silo's load (its
/// accelerator, capacity, running and waiting jobs) to the load board and takes everyone's back into <see cref="ClusterLoad"/>.
/// </summary>
internal sealed partial class SiloLoadReporter(
    IGrainFactory grains,
    JobSlots slots,
    ClusterLoad cluster,
    ILocalSiloDetails silo,
    IOptions<NeuralStyleServiceOptions> options,
    ILogger<SiloLoadReporter> logger) : BackgroundService
{
    /// <summary>Reports older than this many intervals are dropped from the board (the silo stopped reporting).</summary>
    private const int IntervalsKept = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.LoadReportInterval;
        var gpu = IsGpu(options.Value);
        var board = grains.GetGrain<ISiloLoadBoardGrain>(0);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                var load = new SiloLoad { Silo = silo.SiloAddress, Gpu = gpu, Capacity = slots.Capacity, Running = slots.Running, Waiting = slots.Waiting };
                cluster.Update(await board.PostAsync(load, interval * IntervalsKept).WaitAsync(stoppingToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The board's silo may be gone or this silo not yet joined; the next report tries again.
                LogReportFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Whether a silo computes on a GPU: as configured, or (<see cref="SiloAccelerator.Auto"/>) where its device resolves to.</summary>
    internal static bool IsGpu(NeuralStyleServiceOptions options) => options.Accelerator switch
    {
        SiloAccelerator.Gpu => true,
        SiloAccelerator.Cpu => false,
        _ => ResolvesToCuda(options.Device),
    };

    private static bool ResolvesToCuda(string device)
    {
        try
        {
            return DeviceSelector.Resolve(device).type == DeviceType.CUDA;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // The device cannot be used here; the jobs say so when they run. For placement this is not a GPU silo.
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Load report failed: {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string reason);
}
