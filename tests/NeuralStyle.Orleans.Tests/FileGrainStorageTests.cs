using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using NeuralStyle.Orleans.Jobs;
using NeuralStyle.Orleans.Storage;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>
/// Tests that run alone: one counts the bytes the whole process allocates during a write, which tests running beside it would add to.
/// </summary>
[CollectionDefinition(nameof(AllocationCountTests), DisableParallelization = true)]
public sealed class AllocationCountTests;

[Collection(nameof(AllocationCountTests))]
public sealed class FileGrainStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "neuralstyle-storage-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public async Task Read_write_and_clear_keep_the_ETag_chain_and_refuse_a_stale_writer()
    {
        var storage = new FileGrainStorage(_root, _services.GetRequiredService<Serializer>());
        var id = GrainId.Create("job", "a");
        var first = new GrainState<ClientJobsState>();
        await storage.ReadStateAsync("s", id, first);
        (first.RecordExists, first.ETag).Should().Be((false, (string?)null));

        first.State!.Jobs.Add("x");
        await storage.WriteStateAsync("s", id, first);
        first.ETag.Should().Be("1");

        var second = new GrainState<ClientJobsState>();
        await storage.ReadStateAsync("s", id, second);
        (second.RecordExists, second.ETag).Should().Be((true, "1"));
        second.State!.Jobs.Should().Equal("x");

        second.State!.Jobs.Add("y");
        await storage.WriteStateAsync("s", id, second);
        second.ETag.Should().Be("2");

        // The first reader's ETag is stale: its write and its clear are refused and change nothing.
        await FluentActions.Awaiting(() => storage.WriteStateAsync("s", id, first)).Should().ThrowAsync<InconsistentStateException>();
        await FluentActions.Awaiting(() => storage.ClearStateAsync("s", id, first)).Should().ThrowAsync<InconsistentStateException>();
        var third = new GrainState<ClientJobsState>();
        await storage.ReadStateAsync("s", id, third);
        third.State!.Jobs.Should().Equal("x", "y");

        await storage.ClearStateAsync("s", id, third);
        (third.RecordExists, third.ETag).Should().Be((false, (string?)null));
        var fourth = new GrainState<ClientJobsState>();
        await storage.ReadStateAsync("s", id, fourth);
        fourth.RecordExists.Should().BeFalse();
        Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Should().BeEmpty("nothing is left behind");
    }

    [Fact]
    public async Task A_state_of_megabytes_is_written_without_a_copy_of_its_serialised_bytes()
    {
        var storage = new FileGrainStorage(_root, _services.GetRequiredService<Serializer>());
        var id = GrainId.Create("job", "large");
        var checkpoint = new byte[4 << 20];
        new Random(7).NextBytes(checkpoint);
        var state = new GrainState<JobProgress>(new JobProgress { CheckpointIteration = 20, Checkpoint = checkpoint });

        // The first write warms up the serialiser's buffer pool; the next ones reuse it.
        await storage.WriteStateAsync("progress", id, state);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await storage.WriteStateAsync("progress", id, state);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        allocated.Should().BeLessThan(checkpoint.Length / 2, "the 4 MB state goes from the serialiser's buffers to the file (a copy into an array of its own allocated more than 4 MB; this write allocates about 1 MB)");
        var back = new GrainState<JobProgress>();
        await storage.ReadStateAsync("progress", id, back);
        (back.ETag, back.State!.CheckpointIteration).Should().Be(("2", 20));
        back.State.Checkpoint.Should().Equal(checkpoint);
    }

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
