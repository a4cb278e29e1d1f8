using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.Weights.WeightsTestKit;

namespace NeuralStyle.Tests.Weights;

/// <summary>Downloads against a local <see cref="TestHttpServer"/>: success, caching, and every way a download can fail.</summary>
public sealed class WeightsDownloadTests : IDisposable
{
    private static readonly byte[] Body = Payload(96 * 1024);
    private readonly TempFolder _cache = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task Good_file_is_cached_and_a_second_resolve_does_not_contact_the_server()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var options = Options(server, Body, _cache);

        var first = await ResolveAsync(options, cancellationToken: Ct);
        var second = await ResolveAsync(options, cancellationToken: Ct);

        first.Should().Be(_cache.File(SqueezeNetWeights.FileName));
        second.Should().Be(first);
        (await File.ReadAllBytesAsync(first, Ct)).Should().Equal(Body);
        server.RequestCount.Should().Be(1);
        CacheContents(_cache).Should().Equal(SqueezeNetWeights.FileName, SqueezeNetWeights.FileName + ".verified");
    }

    [Fact]
    public async Task Shared_default_client_downloads_when_no_client_is_given()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions { CacheDirectory = _cache.Path });

        var path = await ResolveAsync(options, cancellationToken: Ct);

        (await File.ReadAllBytesAsync(path, Ct)).Should().Equal(Body);
    }

    [Fact]
    public async Task Wrong_hash_throws_and_caches_nothing()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var options = Options(server, Body, _cache);
        var expected = Sha256(Payload(10));
        options = options with { Weights = options.Weights with { Sha256 = expected } };

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct)).Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.HashMismatch);
        ex.Uri.Should().Be(server.Uri);
        ex.Message.Should().Contain(expected).And.Contain(Sha256(Body)).And.Contain("nothing was cached");
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Body_shorter_than_content_length_throws_and_caches_nothing()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendAsync(Body.AsMemory(0, Body.Length / 2));
        });

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(Options(server, Body, _cache), cancellationToken: Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.Incomplete);
        ex.Message.Should().Contain(server.Uri.ToString());
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Connection_reset_mid_body_throws_and_caches_nothing()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendAsync(Body.AsMemory(0, Body.Length / 3));
            await Task.Delay(50, x.Stopping);
            x.Abort();
        });

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(Options(server, Body, _cache), cancellationToken: Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().BeOneOf(WeightsDownloadFailure.Network, WeightsDownloadFailure.Incomplete);
        ex.InnerException.Should().BeAssignableTo<IOException>();
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Body_without_length_that_ends_early_fails_verification()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", contentLength: null);
            await x.SendAsync(Body.AsMemory(0, Body.Length - 1));
        });

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(Options(server, Body, _cache), cancellationToken: Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.HashMismatch);
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Http_404_names_the_status_and_the_address()
    {
        await using var server = new TestHttpServer(TestHttpServer.Status(404, "Not Found"));

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(Options(server, Body, _cache), cancellationToken: Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.HttpStatus);
        ex.StatusCode.Should().Be(HttpStatusCode.NotFound);
        ex.Message.Should().Contain("404").And.Contain(server.Uri.ToString());
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Unreachable_server_explains_how_to_supply_the_file_locally()
    {
        // A port that was just free; nothing listens there any more.
        Uri uri;
        await using (var closed = new TestHttpServer(TestHttpServer.File(Body), maxConnections: 0))
        {
            uri = closed.Uri;
        }

        var options = new Download(Descriptor(uri, SqueezeNetWeights.Sha256), new WeightsOptions { CacheDirectory = _cache.Path, HttpClient = Http });

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct)).Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.Network);
        ex.Message.Should().Contain("WeightsOptions.Path").And.Contain("NEURALSTYLE_WEIGHTS").And.NotContain("--weights", "library messages name options, not CLI flags")
            .And.Contain(_cache.Path).And.Contain(SqueezeNetWeights.FileName);
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Cancellation_during_a_slow_download_is_quick_and_caches_nothing()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendSlowlyAsync(Body, 1024, TimeSpan.FromMilliseconds(50));
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new ProgressLog();
        var resolve = ResolveAsync(Options(server, Body, _cache), progress, cts.Token);
        await progress.FirstBytes.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await cts.CancelAsync();
        // A generous bound that still catches a hang; that the download stopped early is shown by the bytes received.
        await FluentActions.Awaiting(() => resolve.WaitAsync(TimeSpan.FromSeconds(60), Ct)).Should().ThrowAsync<OperationCanceledException>();

        progress.Reports.Should().NotContain(r => r.BytesReceived == Body.Length);
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Stalled_download_times_out_and_caches_nothing()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendAsync(Body.AsMemory(0, 1000));
            await x.IdleAsync(TimeSpan.FromSeconds(30));
        });
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions {
            CacheDirectory = _cache.Path, HttpClient = Http,
            StallTimeout = TimeSpan.FromSeconds(2)
});

        // The server idles for 30 s: only the 2 s stall timeout can end the download as Stalled before that. (With 300 ms, the
        // loaded machine failed this test once, most likely by stalling before the first 1000 bytes had been read.)
        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.Stalled);
        ex.Message.Should().Contain("timed out").And.Contain("StallTimeout").And.Contain("1000 bytes");
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Server_that_never_answers_trips_the_stall_timeout()
    {
        await using var server = new TestHttpServer(x => x.IdleAsync(TimeSpan.FromSeconds(10)));
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions {
            CacheDirectory = _cache.Path, HttpClient = Http,
            StallTimeout = TimeSpan.FromMilliseconds(300)
});

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct)).Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.Stalled);
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Trickling_download_hits_the_overall_timeout()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendSlowlyAsync(Body.AsMemory(0, 200), 1, TimeSpan.FromMilliseconds(20));
        });
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions {
            CacheDirectory = _cache.Path, HttpClient = Http,
            StallTimeout = TimeSpan.FromSeconds(5), DownloadTimeout = TimeSpan.FromMilliseconds(400)
});

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct)).Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.Timeout);
        ex.Message.Should().Contain("DownloadTimeout");
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Download_larger_than_the_limit_is_refused()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions {
            CacheDirectory = _cache.Path, HttpClient = Http, MaxDownloadBytes = 1000
});

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(options, cancellationToken: Ct)).Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.TooLarge);
        CacheContents(_cache).Should().BeEmpty();
    }

    [Fact]
    public async Task Corrupted_cached_file_is_replaced_by_a_good_download()
    {
        var cached = _cache.File(SqueezeNetWeights.FileName);
        await File.WriteAllBytesAsync(cached, Payload(Body.Length, seed: 2), Ct);
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var logger = new RecordingLogger();
        var options = new Download(Descriptor(server.Uri, Sha256(Body)), new WeightsOptions {
            CacheDirectory = _cache.Path, HttpClient = Http, Logger = logger
});

        var path = await ResolveAsync(options, cancellationToken: Ct);

        path.Should().Be(cached);
        (await File.ReadAllBytesAsync(path, Ct)).Should().Equal(Body);
        server.RequestCount.Should().Be(1);
        logger.Entries.Should().Contain(e => e.EventId == 4, "the mismatch is logged as a warning");
    }

    [Fact]
    public async Task Cached_file_changed_after_verification_is_hashed_again_and_replaced()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body), maxConnections: 2);
        var options = Options(server, Body, _cache);
        var path = await ResolveAsync(options, cancellationToken: Ct);

        // Same size, different content, and a different modification time: the sidecar marker no longer vouches for it.
        await File.WriteAllBytesAsync(path, Payload(Body.Length, seed: 3), Ct);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        await ResolveAsync(options, cancellationToken: Ct);

        server.RequestCount.Should().Be(2);
        (await File.ReadAllBytesAsync(path, Ct)).Should().Equal(Body);
    }

    [Fact]
    public async Task Leftover_temporary_files_are_removed_by_the_next_download()
    {
        var leftover = _cache.File(SqueezeNetWeights.FileName + ".tmp-0123456789ab");
        await File.WriteAllBytesAsync(leftover, [1, 2, 3], Ct);
        await using var server = new TestHttpServer(TestHttpServer.File(Body));

        await ResolveAsync(Options(server, Body, _cache), cancellationToken: Ct);

        File.Exists(leftover).Should().BeFalse();
    }

    [Fact]
    public async Task Progress_is_reported_with_increasing_byte_counts()
    {
        await using var server = new TestHttpServer(async x =>
        {
            await x.SendHeadAsync(200, "OK", Body.Length);
            await x.SendSlowlyAsync(Body, Body.Length / 4, TimeSpan.FromMilliseconds(150));
        });
        var progress = new ProgressLog();

        await ResolveAsync(Options(server, Body, _cache), progress, Ct);

        var reports = progress.Reports.ToArray();
        reports.Length.Should().BeGreaterThanOrEqualTo(3);
        reports.Select(r => r.BytesReceived).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        reports.Should().OnlyContain(r => r.TotalBytes == Body.Length);
        reports[^1].BytesReceived.Should().Be(Body.Length);
        reports[^1].Fraction.Should().Be(1.0);
    }

    [Fact]
    public async Task No_progress_is_reported_when_the_file_is_cached()
    {
        await using var server = new TestHttpServer(TestHttpServer.File(Body));
        var options = Options(server, Body, _cache);
        await ResolveAsync(options, cancellationToken: Ct);
        var progress = new ProgressLog();

        await ResolveAsync(options, progress, Ct);

        progress.Reports.Should().BeEmpty();
    }
}
