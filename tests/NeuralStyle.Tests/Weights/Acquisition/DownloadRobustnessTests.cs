using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.Weights;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.Weights.WeightsTestKit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// The download cases <c>Weights/</c> does not cover: names suggested by the address, the server or a redirect are
/// never used; a downloader process killed mid-body leaves nothing the next caller would trust; a caller waiting for
/// another download's lock can cancel promptly.
/// </summary>
public sealed class DownloadRobustnessTests : IDisposable
{
    private static readonly byte[] Body = Payload(48 * 1024, seed: 21);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFolder _root = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Cache => Path.Combine(_root.Path, "cache");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Names_from_the_address_the_server_or_a_redirect_are_never_used()
    {
        // The address ends in a traversal and a query; the first answer redirects to another name; the second suggests
        // yet another one with Content-Disposition. The file still lands under the constant name, and nowhere else.
        await using var server = new TestHttpServer(async x =>
        {
            if (x.RequestLine.Contains("/redirected/", StringComparison.Ordinal))
            {
                await SendRawHeadAsync(x, "200 OK", $"Content-Length: {Body.Length}", "Content-Disposition: attachment; filename=\"../../evil.pth\"");
                await x.SendAsync(Body);
            }
            else
            {
                await SendRawHeadAsync(x, "302 Found", "Location: /redirected/..%2F..%2Fevil-too.pth", "Content-Length: 0");
            }
        });
        var options = new Download(
            Descriptor(new Uri($"http://127.0.0.1:{server.Port}/models/..%2F..%2Fevil.pth?name=../../evil.pth"), Sha256(Body)),
            new WeightsOptions { CacheDirectory = Cache, HttpClient = Http });

        var path = await ResolveAsync(options, cancellationToken: Ct);

        path.Should().Be(Path.Combine(Cache, SqueezeNetWeights.FileName));
        server.RequestCount.Should().Be(2, "the redirect was followed");
        Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(_root.Path, p)).Order(StringComparer.Ordinal)
            .Should().Equal(
                Path.Combine("cache", SqueezeNetWeights.FileName),
                Path.Combine("cache", SqueezeNetWeights.FileName + ".lock"),
                Path.Combine("cache", SqueezeNetWeights.FileName + ".verified"));
    }

    [Fact]
    public async Task A_redirect_to_other_content_is_not_cached()
    {
        await using var server = new TestHttpServer(async x =>
        {
            if (x.RequestLine.Contains("/mirror/", StringComparison.Ordinal))
            {
                var wrong = Payload(Body.Length, seed: 99);
                await x.SendHeadAsync(200, "OK", wrong.Length);
                await x.SendAsync(wrong);
            }
            else
            {
                await SendRawHeadAsync(x, "301 Moved Permanently", "Location: /mirror/weights.pth", "Content-Length: 0");
            }
        });
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions { CacheDirectory = Cache, HttpClient = Http });

        var act = () => ResolveAsync(options, cancellationToken: Ct);

        (await act.Should().ThrowAsync<WeightsDownloadException>()).Which.Failure.Should().Be(WeightsDownloadFailure.HashMismatch);
        Directory.EnumerateFiles(Cache).Select(Path.GetFileName).Should().Equal(SqueezeNetWeights.FileName + ".lock");
    }

    [Fact]
    public async Task A_downloader_process_killed_mid_body_leaves_nothing_trusted_and_the_next_caller_succeeds()
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "NeuralStyle.Tests.WeightsProbe.dll");
        File.Exists(probe).Should().BeTrue($"the probe is built next to the tests ({probe})");
        var connections = 0;
        await using var server = new TestHttpServer(async x =>
        {
            if (Interlocked.Increment(ref connections) == 1)
            {
                // The probe's connection: half the body, then nothing until the server stops.
                await x.SendHeadAsync(200, "OK", Body.Length);
                await x.SendAsync(Body.AsMemory(0, Body.Length / 2));
                await x.IdleAsync(Bound);
            }
            else
            {
                await x.SendHeadAsync(200, "OK", Body.Length);
                await x.SendAsync(Body);
            }
        });
        Directory.CreateDirectory(Cache);

        using (var child = StartProbe(probe, server.Uri))
        {
            try
            {
                // Wait until the probe has written part of the body into its temporary file.
                var partial = await WaitForAsync(
                    () => Directory.EnumerateFiles(Cache, SqueezeNetWeights.FileName + ".tmp-*").FirstOrDefault(f => new FileInfo(f).Length >= Body.Length / 2));
                partial.Should().NotBeNull("the probe started downloading");
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(Ct).WaitAsync(Bound, Ct);
            }
        }

        File.Exists(Path.Combine(Cache, SqueezeNetWeights.FileName)).Should().BeFalse("a partial download never takes the cache file's name");
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions { CacheDirectory = Cache, HttpClient = Http });

        var path = await ResolveAsync(options, cancellationToken: Ct).WaitAsync(Bound, Ct);

        (await File.ReadAllBytesAsync(path, Ct)).Should().Equal(Body);
        Directory.EnumerateFiles(Cache).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal(
            SqueezeNetWeights.FileName, SqueezeNetWeights.FileName + ".lock", SqueezeNetWeights.FileName + ".verified");
    }

    [Fact]
    public async Task A_caller_waiting_for_another_download_can_cancel_promptly()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendAsync(Body.AsMemory(0, Body.Length / 2));
            await release.Task.WaitAsync(Bound, x.Stopping);
            await x.SendAsync(Body.AsMemory(Body.Length / 2));
        });
        var first = ResolveAsync(new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions { CacheDirectory = Cache, HttpClient = Http }), cancellationToken: Ct);
        await server.FirstRequest.WaitAsync(Bound, Ct);
        var logger = new RecordingLogger();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var second = ResolveAsync(new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions { CacheDirectory = Cache, HttpClient = Http, Logger = logger }), cancellationToken: cts.Token);
        await logger.WaitingForLock.Task.WaitAsync(Bound, Ct);

        await cts.CancelAsync();
        // While the first download is held back, only the caller's token can end the wait; Bound only catches a hang.
        var act = () => second.WaitAsync(Bound, Ct);
        await act.Should().ThrowAsync<OperationCanceledException>("waiting for the lock polls with the caller's token");
        first.IsCompleted.Should().BeFalse("the lock holder is still held back, so the wait ended by cancellation");

        release.SetResult();
        (await File.ReadAllBytesAsync(await first.WaitAsync(Bound, Ct), Ct)).Should().Equal(Body);
        server.RequestCount.Should().Be(1);
    }

    private static Task SendRawHeadAsync(HttpExchange exchange, string status, params string[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        return exchange.SendAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
    }

    private static async Task<string?> WaitForAsync(Func<string?> probe)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < Bound)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50, Ct);
        }

        return null;
    }

    private Process StartProbe(string probe, Uri uri)
    {
        var current = Environment.ProcessPath;
        var host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdkHost ? sdkHost : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { probe, Cache, uri.ToString(), Sha256(Body) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(WeightsLocator.WeightsEnvironmentVariable);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        return process;
    }
}
