using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>Ownership, limits, cancellation and expiry on a one-silo cluster.</summary>
public sealed class JobAccessTests
{
    [Fact]
    public async Task Another_client_sees_no_job_and_lists_only_its_own()
    {
        await using var service = await ServiceCluster.StartAsync(1);
        var owner = service.NewClient();
        var other = service.NewClient();
        var id = await owner.SubmitAsync(TestAssets.Request());
        await ServiceCluster.WaitFinishedAsync(owner, id, TimeSpan.FromMinutes(1));

        await FluentActions.Awaiting(() => other.GetStatusAsync(id)).Should().ThrowAsync<JobNotFoundException>();
        await FluentActions.Awaiting(() => other.GetResultAsync(id)).Should().ThrowAsync<JobNotFoundException>();
        await FluentActions.Awaiting(() => other.CancelAsync(id)).Should().ThrowAsync<JobNotFoundException>();
        await FluentActions.Awaiting(() => ServiceCluster.WaitFinishedAsync(other, id, TimeSpan.FromSeconds(30))).Should().ThrowAsync<JobNotFoundException>();
        await FluentActions.Awaiting(() => other.GetStatusAsync("../../etc/passwd")).Should().ThrowAsync<JobNotFoundException>();
        (await other.ListAsync()).Should().BeEmpty();
        (await owner.ListAsync()).Select(j => j.JobId).Should().Equal(id);
        (await owner.GetResultAsync(id)).Should().NotBeEmpty();
    }

    [Fact]
    public async Task Oversized_and_malformed_requests_are_refused_before_any_work()
    {
        await using var service = await ServiceCluster.StartAsync(1, o =>
        {
            o.Limits.MaxUploadBytes = 64 * 1024;
            o.Limits.MaxImagePixels = 300 * 300;
            o.Limits.MaxStyles = 2;
            o.Limits.MaxIterations = 50;
            o.Limits.MaxImageSize = 128;
        });
        var client = service.NewClient();
        var ok = TestAssets.Request() with { Content = TestAssets.Png(64, 64), Styles = [TestAssets.Png(64, 64)] };

        async Task Refused(StyleJobRequest request, JobRejection reason, string naming)
        {
            var error = await FluentActions.Awaiting(() => client.SubmitAsync(request)).Should().ThrowAsync<JobRejectedException>();
            error.Which.Reason.Should().Be(reason);
            error.Which.Message.Should().Contain(naming);
        }

        await Refused(ok with { Content = new byte[100 * 1024] }, JobRejection.TooLarge, "bytes");
        await Refused(ok with { Content = TestAssets.Png(400, 400) }, JobRejection.TooLarge, "limit");
        await Refused(ok with { Styles = [.. Enumerable.Repeat(TestAssets.Png(64, 64), 3)] }, JobRejection.TooLarge, "style images");
        await Refused(ok with { Options = ok.Options with { Iterations = 51 } }, JobRejection.TooLarge, "Iterations");
        await Refused(ok with { Options = ok.Options with { ImageSize = 129 } }, JobRejection.TooLarge, "image size");
        await Refused(ok with { Content = [1, 2, 3, 4, 5] }, JobRejection.Invalid, "content image");
        await Refused(ok with { Styles = [] }, JobRejection.Invalid, "style image");
        await Refused(ok with { Options = ok.Options with { Preset = "no-such-preset" } }, JobRejection.Invalid, "preset");
        await Refused(ok with { Options = ok.Options with { StyleBlendWeights = [1, 2] } }, JobRejection.Invalid, "StyleBlendWeights");
        (await client.ListAsync()).Should().BeEmpty("nothing was stored");
        service.AllSlots.Should().OnlyContain(s => s.Peak == 0, "no work started");
    }

    [Fact]
    public async Task A_cancelled_job_stops_frees_its_slot_and_has_no_result()
    {
        await using var service = await ServiceCluster.StartAsync(1);
        var client = service.NewClient();
        var id = await client.SubmitAsync(TestAssets.Request(size: 48, iterations: 1000));
        var queued = await client.SubmitAsync(TestAssets.Request());
        await foreach (var snapshot in client.WatchAsync(id))
        {
            if (snapshot.Iteration >= 5)
            {
                break;
            }
        }

        await client.CancelAsync(id);
        var cancelled = await client.GetStatusAsync(id);
        cancelled.Status.Should().Be(JobStatus.Cancelled);
        cancelled.Iteration.Should().BeLessThan(1000);
        await FluentActions.Awaiting(() => client.GetResultAsync(id)).Should().ThrowAsync<InvalidOperationException>();
        (await ServiceCluster.WaitFinishedAsync(client, queued, TimeSpan.FromMinutes(1))).Status.Should().Be(JobStatus.Succeeded, "the slot was freed");
        service.CompletedJobs.Should().Equal(queued);
    }

    [Fact]
    public async Task Results_expire_after_their_retention_and_sooner_once_fetched()
    {
        await using var service = await ServiceCluster.StartAsync(1, o =>
        {
            o.ResultRetention = TimeSpan.FromSeconds(3);
            o.FetchedResultRetention = TimeSpan.Zero;
            o.SweepInterval = TimeSpan.FromMilliseconds(200);
        });
        var client = service.NewClient();
        var kept = await client.SubmitAsync(TestAssets.Request());
        var fetched = await client.SubmitAsync(TestAssets.Request(seed: 1));
        await ServiceCluster.WaitFinishedAsync(client, kept, TimeSpan.FromMinutes(1));
        await ServiceCluster.WaitFinishedAsync(client, fetched, TimeSpan.FromMinutes(1));
        (await client.GetResultAsync(fetched)).Should().NotBeEmpty();

        await Eventually.WaitUntilAsync(async () => !await ExistsAsync(client, fetched), TimeSpan.FromSeconds(10));
        (await ExistsAsync(client, kept)).Should().BeTrue("an unfetched result is kept for its retention");
        await Eventually.WaitUntilAsync(async () => !await ExistsAsync(client, kept), TimeSpan.FromSeconds(20));
        (await client.ListAsync()).Should().BeEmpty();
    }

    private static async Task<bool> ExistsAsync(StyleJobClient client, string id)
    {
        try
        {
            await client.GetStatusAsync(id);
            return true;
        }
        catch (JobNotFoundException)
        {
            return false;
        }
    }
}
