using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.Weights.WeightsTestKit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// Two downloads of the same file at once, in two threads and in two processes. The server holds the body back until the
/// second caller reports that it is waiting for the lock, so the two really overlap.
/// </summary>
public sealed class WeightsConcurrencyTests : IDisposable
{
    private static readonly byte[] Body = Payload(64 * 1024, seed: 7);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFolder _cache = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task Two_threads_share_one_download()
    {
        await using var server = new TestHttpServer(GatedFile);
        var first = ResolveAsync(Options(server), cancellationToken: Ct);
        await server.FirstRequest.WaitAsync(Bound, Ct);
        var logger = new RecordingLogger();
        var second = ResolveAsync(Options(server, logger), cancellationToken: Ct);

        await logger.WaitingForLock.Task.WaitAsync(Bound, Ct);
        _release.SetResult();
        var paths = await Task.WhenAll(first, second).WaitAsync(Bound, Ct);

        paths[1].Should().Be(paths[0]);
        (await File.ReadAllBytesAsync(paths[0], Ct)).Should().Equal(Body);
        server.RequestCount.Should().Be(1, "the second caller finds the file in the cache once it holds the lock");
        CacheContents(_cache).Should().Equal(SqueezeNetWeights.FileName, SqueezeNetWeights.FileName + ".verified");
    }

    [Fact]
    public async Task A_second_process_waits_for_the_lock_and_uses_the_finished_file()
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "NeuralStyle.Tests.WeightsProbe.dll");
        File.Exists(probe).Should().BeTrue($"the probe is built next to the tests ({probe})");
        await using var server = new TestHttpServer(GatedFile);
        var first = ResolveAsync(Options(server), cancellationToken: Ct);
        await server.FirstRequest.WaitAsync(Bound, Ct);

        using var child = StartProbe(probe, server.Uri);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data == $"event {WeightsLog.WaitingForLockEventId}")
            {
                waiting.TrySetResult();
            }
        };
        child.BeginOutputReadLine();
        try
        {
            await Task.WhenAny(waiting.Task, child.WaitForExitAsync(Ct)).WaitAsync(Bound, Ct);
            waiting.Task.IsCompleted.Should().BeTrue($"the probe should wait for the lock; it wrote: {string.Join(" | ", output)}");
            _release.SetResult();

            var path = await first.WaitAsync(Bound, Ct);
            await child.WaitForExitAsync(Ct).WaitAsync(Bound, Ct);

            child.ExitCode.Should().Be(0, string.Join(" | ", output));
            output.Should().Contain($"path {path}");
            (await File.ReadAllBytesAsync(path, Ct)).Should().Equal(Body);
            server.RequestCount.Should().Be(1);
        }
        finally
        {
            _release.TrySetResult();
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    // Generous timeouts: a slow machine may take a while to start the second process.
    private Download Options(TestHttpServer server, RecordingLogger? logger = null)
        => new(
            Descriptor(server.Uri, Sha256(Body)),
            new WeightsOptions
            {
                CacheDirectory = _cache.Path, HttpClient = Http,
                StallTimeout = TimeSpan.FromSeconds(60), DownloadTimeout = TimeSpan.FromSeconds(90), Logger = logger,
            });

    // The host running the tests when it is dotnet itself, else the one the SDK names, else dotnet on the PATH.
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    }

    // Sends the head and half the body, then the rest once the test allows it (or after the bound).
    private async Task GatedFile(HttpExchange x)
    {
        await x.SendHeadAsync(200, "OK", Body.Length);
        await x.SendAsync(Body.AsMemory(0, Body.Length / 2));
        await _release.Task.WaitAsync(Bound, x.Stopping);
        await x.SendAsync(Body.AsMemory(Body.Length / 2));
    }

    private Process StartProbe(string probe, Uri uri)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { probe, _cache.Path, uri.ToString(), Sha256(Body) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(WeightsLocator.WeightsEnvironmentVariable);
        return Process.Start(start)!;
    }
}
