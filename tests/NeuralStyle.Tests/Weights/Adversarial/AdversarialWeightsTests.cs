using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Weights;
using NeuralStyle.Weights.Pickle;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// One regression test per weight-file attack class of docs/security.md (issue #14), on small generated files. Work is
/// asserted by counting (operations, distinct hashes, bytes allocated), never by wall-clock time; the waits that guard
/// against a hang are generous.
/// </summary>
public sealed class AdversarialWeightsTests : IDisposable
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Integer_dict_keys_that_collide_in_GetHashCode_are_kept_in_order_and_never_hashed()
    {
        const int count = 20_000;
        var keys = Enumerable.Range(1, count).Select(i => (object)(((long)i << 32) | (uint)i)).ToList();
        keys.Select(k => k.GetHashCode()).Distinct().Should().ContainSingle("the attack's keys all share .NET's own hash");
        var next = 0;
        var pickle = new PickleBuilder().Proto(2).EmptyDict().Mark()
            .Repeat(count, p => p.Long1(BitConverter.GetBytes((long)keys[next++])).None()).SetItems().Stop().ToArray();

        var dict = (PickleDict)new SafeUnpickler(pickle, 0, pickle.Length, ManyObjectsAllowed("collide.pkl", pickle), null).Load();

        dict.Entries.Select(e => e.Key).Should().Equal(keys);
        dict.IndexedKeys.Should().Be(0, "only string keys are looked up, so only they go into a hash index");
    }

    [Fact]
    public void String_dict_keys_are_indexed_and_the_last_value_of_a_repeated_key_wins()
    {
        var pickle = new PickleBuilder().Proto(2).EmptyDict().Mark().Str("a").Int(1).Str("b").Int(2).Str("a").Int(3).Int(7).Int(4).SetItems().Stop().ToArray();

        var dict = (PickleDict)new SafeUnpickler(pickle, 0, pickle.Length, new WeightReadContext("keys.pkl", WeightReaderLimits.Default), null).Load();

        dict.Entries.Select(e => (e.Key, e.Value)).Should().Equal(("a", 3L), ("b", 2L), (7L, 4L));
        dict.IndexedKeys.Should().Be(2);
        dict.TryGetValue("a", out var a).Should().BeTrue();
        a.Should().Be(3L);
        dict.TryGetValue("c", out _).Should().BeFalse();
    }

    [Fact]
    public void A_state_dict_of_colliding_integer_keys_parses_in_linear_work()
    {
        // Counted, not timed: the work of a parse is its operations and its allocations, both linear in the keys.
        var small = AdversarialWeights.CollidingIntegerKeys(5_000);
        var large = AdversarialWeights.CollidingIntegerKeys(40_000);
        Measure(small); // JIT first, so that the counts below are of the parse alone

        var (smallBytes, smallOperations) = Measure(small);
        var (largeBytes, largeOperations) = Measure(large);

        ((double)largeOperations / smallOperations).Should().BeInRange(7.5, 8.5, "8× the keys cost 8× the operations");
        ((double)largeBytes / smallBytes).Should().BeLessThan(9, "8× the keys allocate about 8× the memory");
        (largeBytes / 40_000).Should().BeLessThan(200, "a key costs a boxed integer and its place in the stack and the dict");

        static (long Bytes, long Operations) Measure(byte[] file)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var context = ManyObjectsAllowed("collide.pth", file);
            PyTorchLegacyReader.Read(file, context).Should().BeEmpty("integer keys hold no tensors");
            return (GC.GetAllocatedBytesForCurrentThread() - before, context.Operations);
        }
    }

    [Theory]
    [InlineData("empty dicts", 80)]
    [InlineData("one-element tuples", 100)]
    [InlineData("one-character strings", 64)]
    public void Objects_that_cost_one_or_two_bytes_of_pickle_allocate_little_each(string structure, int maxBytesEach)
    {
        // On a machine where fresh memory is slow, the bytes a structure allocates per byte of pickle bound the parse's
        // speed: an empty dict is one small object (its entries come at the first key), a tuple its array and itself.
        Func<int, byte[]> build = structure switch
        {
            "empty dicts" => AdversarialWeights.EmptyDictFlood,
            "one-element tuples" => AdversarialWeights.SmallTupleFlood,
            _ => AdversarialWeights.StringFlood,
        };
        Measure(build(1_000)); // JIT first

        var perObject = Measure(build(50_000)) / 50_000;

        perObject.Should().BeLessThan(maxBytesEach, "each object and its stack slot (with the stack's doubling) is all that is allocated");

        static long Measure(byte[] file)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            PyTorchLegacyReader.Read(file, ManyObjectsAllowed("flood.pth", file)).Should().BeEmpty();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    /// <summary>
    /// A context whose object bound (<see cref="WeightReaderLimits.MaxPickleObjectsPerKilobyte"/>) admits the floods
    /// below, which the default refuses: these tests are about the cost of each object, PickleObjectBoundTests about the bound.
    /// </summary>
    internal static WeightReadContext ManyObjectsAllowed(string name, byte[] file)
        => new(name, new WeightReaderLimits { MaxPickleObjectsPerKilobyte = 1 << 20 }, fileBytes: file.Length);

    [Fact]
    public void Memo_entries_numbered_as_a_pickler_numbers_them_are_read_up_to_the_limit_and_no_further()
    {
        var limits = new WeightReaderLimits { MaxPickleMemoEntries = 100 };
        var next = 0u;
        var within = new PickleBuilder().Proto(2).None().Repeat(100, p => p.LongBinPut(next++)).LongBinGet(99).Stop().ToArray();
        var beyond = new PickleBuilder().Proto(2).None().LongBinPut(100).Stop().ToArray();
        var huge = new PickleBuilder().Proto(2).None().LongBinPut(uint.MaxValue).Stop().ToArray();

        new SafeUnpickler(within, 0, within.Length, new WeightReadContext("memo.pkl", limits), null).Load().Should().Be(PickleNone.Instance);
        foreach (var pickle in new[] { beyond, huge })
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            FluentActions.Invoking(() => new SafeUnpickler(pickle, 0, pickle.Length, new WeightReadContext("memo.pkl", limits), null).Load())
                .Should().Throw<WeightFormatException>().WithMessage("*'memo.pkl'*beyond the 100 entries*MaxPickleMemoEntries*");
            (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "no slots are allocated below a refused number (4 Gi of them would be 32 GB)");
        }
    }

    [Fact]
    public void Cancellation_is_honoured_within_a_few_thousand_operations_of_parsing()
    {
        using var cts = new CancellationTokenSource();
        var context = new WeightReadContext("cancel.pkl", WeightReaderLimits.Default, cancellationToken: cts.Token);
        long operationsAtCancel = -1;
        var pickle = new PickleBuilder().Proto(2).Mark().Str("x").Tuple().BinPersId().Pop()
            .Repeat(200_000, p => p.None().Pop()).EmptyDict().Stop().ToArray();
        var unpickler = new SafeUnpickler(pickle, 0, pickle.Length, context, _ =>
        {
            operationsAtCancel = context.Operations;
            cts.Cancel();
            return PickleNone.Instance;
        });

        FluentActions.Invoking(unpickler.Load).Should().Throw<OperationCanceledException>();

        operationsAtCancel.Should().BePositive();
        (context.Operations - operationsAtCancel).Should().BeLessThanOrEqualTo(4096 + 4, "the token is checked every 4096 operations");
    }

    [Fact]
    public void A_string_longer_than_a_state_dict_needs_is_refused_before_it_is_decoded()
    {
        // One opcode must stay short, since cancellation is looked at between opcodes: a 64 MiB string would not be.
        var within = new PickleBuilder().Proto(2).Str(new string('a', 1 << 20)).Stop().ToArray();
        var beyond = new PickleBuilder().Proto(2).Str(new string('a', (1 << 20) + 1)).Stop().ToArray();

        new SafeUnpickler(within, 0, within.Length, new WeightReadContext("long.pkl", WeightReaderLimits.Default), null).Load()
            .Should().BeOfType<string>().Which.Length.Should().Be(1 << 20);
        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => new SafeUnpickler(beyond, 0, beyond.Length, new WeightReadContext("long.pkl", WeightReaderLimits.Default), null).Load())
            .Should().Throw<WeightFormatException>().WithMessage("*'long.pkl'*1048577 bytes, more than the 1048576*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "the 2 MiB of text are not decoded (the exception itself allocates some 200 KB)");
    }

    [Fact]
    public void A_cancelled_token_stops_a_read_before_parsing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var path = _folder.File("weights.pth");
        File.WriteAllBytes(path, AdversarialWeights.OpcodeFlood(1000));

        FluentActions.Invoking(() => WeightFileReader.Read(path, cancellationToken: cts.Token)).Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void An_opcode_flood_beyond_the_operation_budget_is_refused()
        => FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.OpcodeFlood(1_100_000), "flood.pth"))
            .Should().Throw<WeightFormatException>().WithMessage("*'flood.pth'*MaxPickleOperations*");

    [Fact]
    public void Nesting_built_inside_out_through_the_memo_is_refused()
        => FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.MemoNesting(200_000), "memo.pth"))
            .Should().Throw<WeightFormatException>().WithMessage("*'memo.pth'*changed after it was put inside another container*");

    [Fact]
    public void Memo_nesting_within_the_depth_limit_is_read_when_built_outside_in()
    {
        // The ordinary order: a list is filled before it goes inside its parent.
        var pickle = new PickleBuilder().Proto(2).EmptyList().LongBinPut(0).EmptyList().Int(1).Append().Append().Pop()
            .EmptyDict().Str("root").LongBinGet(0).SetItem().Stop().ToArray();
        var context = new WeightReadContext("ok.pkl", WeightReaderLimits.Default);

        var root = new SafeUnpickler(pickle, 0, pickle.Length, context, null).Load();

        root.Should().BeOfType<PickleDict>().Which.Depth.Should().Be(3);
    }

    [Fact]
    public void A_list_put_inside_itself_is_refused()
    {
        var pickle = new PickleBuilder().Proto(2).EmptyList().Op((byte)'2').Append().Stop().ToArray();
        var context = new WeightReadContext("self.pkl", WeightReaderLimits.Default);

        FluentActions.Invoking(() => new SafeUnpickler(pickle, 0, pickle.Length, context, null).Load())
            .Should().Throw<WeightFormatException>().WithMessage("*inside itself*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_huge_declared_storage_is_refused_before_it_is_allocated(bool raisedLimits)
    {
        var file = AdversarialWeights.HugeDeclaredStorage((1L << 28) - 4096);
        var limits = raisedLimits
            ? new WeightReaderLimits { MaxUncompressedBytes = 4L << 30, MaxTensorElements = int.MaxValue, MaxTotalElements = 1L << 31 }
            : WeightReaderLimits.Default;
        var before = GC.GetAllocatedBytesForCurrentThread();

        FluentActions.Invoking(() => Seeds.Read(file, "huge.pth", limits)).Should().Throw<WeightFormatException>().WithMessage("*'huge.pth'*");

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16L << 20, "nothing the size of the declared storage (1 GiB) is allocated");
    }

    [Fact]
    public void A_zip_with_more_entries_than_tensors_need_is_refused()
        => FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.ManyZipEntries(1100), "many.pth"))
            .Should().Throw<WeightFormatException>().WithMessage("*'many.pth'*entries*MaxTensorCount*");

    [Fact]
    public void The_entry_count_is_checked_from_the_end_record_before_the_directory_is_read()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.LyingZipEntryCount(65_535), "lying.pth"))
            .Should().Throw<WeightFormatException>().WithMessage("*'lying.pth'*65535 entries*");

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1L << 20);
    }

    [Fact]
    public void A_zip_entry_that_declares_more_than_its_compressed_bytes_can_hold_is_refused()
    {
        var zip = Seeds.Zip();
        TorchCheckpoint.PatchUncompressedSize(zip, "archive/data/0", 50_000_000);

        FluentActions.Invoking(() => Seeds.Read(zip, "inflated.pth", new WeightReaderLimits { MaxUncompressedBytes = 1L << 30 }))
            .Should().Throw<WeightFormatException>().WithMessage("*'inflated.pth'*");
    }

    [Fact]
    public void Non_finite_weights_are_refused_naming_the_tensor_and_the_file()
        => FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.NonFinite(1000), "nan.safetensors"))
            .Should().Throw<WeightFormatException>().WithMessage("*'nan.safetensors'*'features.0.weight'*NaN*element 999*");

    [Fact]
    public async Task A_named_pipe_given_as_weights_is_refused_instead_of_blocking()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "named pipes are a Unix attack");
        var fifo = _folder.File("weights.fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            mkfifo.ExitCode.Should().Be(0);
        }

        var read = Task.Run(() => WeightFileReader.Read(fifo), TestContext.Current.CancellationToken);
        var resolve = Task.Run(() => WeightsLocator.ResolveAsync(NeuralStyle.Features.SqueezeNetWeights.Descriptor, new WeightsOptions { Path = fifo }), TestContext.Current.CancellationToken);

        (await FluentActions.Awaiting(() => read.WaitAsync(HangBound, TestContext.Current.CancellationToken)).Should().ThrowAsync<WeightFormatException>())
            .WithMessage("*weights.fifo*not a regular file*");
        (await FluentActions.Awaiting(() => resolve.WaitAsync(HangBound, TestContext.Current.CancellationToken)).Should().ThrowAsync<WeightFormatException>())
            .WithMessage("*weights.fifo*WeightsOptions.Path*not a regular file*");
    }

    [Fact]
    public void A_device_given_as_weights_is_refused()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");

        FluentActions.Invoking(() => WeightFileReader.Read("/dev/zero")).Should().Throw<WeightFormatException>().WithMessage("*/dev/zero*not a regular file*");
    }
}
