using System;
using System.IO;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Weights;
using NeuralStyle.Weights.Pickle;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// The bound on what a pickle builds in proportion to its file's length (<see cref="WeightReaderLimits.MaxPickleObjectsPerKilobyte"/>):
/// every flood of cheap opcodes that builds an object or a reference per byte or two is refused after building what the
/// file's length allows, the same floods spread out to within the bound parse, and the real weight files build a small
/// fraction of what they may. All counted (objects, operations), never timed.
/// </summary>
public sealed class PickleObjectBoundTests
{
    /// <summary>The floods of docs/security.md that build more than one object (or reference) per 16 bytes.</summary>
    public static TheoryData<string> DenseFloods => new(
        "empty-dict-flood",
        "empty-list-flood",
        "small-tuple-flood",
        "string-flood",
        "stack-flood",
        "dup-flood",
        "memo-get-flood",
        "memo-put-flood",
        "append-flood",
        "appends-flood",
        "setitems-flood",
        "wide-tuple",
        "colliding-int-keys");

    /// <summary>Builds a dense flood of about <paramref name="count"/> items.</summary>
    internal static byte[] DenseFlood(string name, int count) => name switch
    {
        "empty-dict-flood" => AdversarialWeights.EmptyDictFlood(count),
        "empty-list-flood" => AdversarialWeights.EmptyListFlood(count),
        "small-tuple-flood" => AdversarialWeights.SmallTupleFlood(count),
        "string-flood" => AdversarialWeights.StringFlood(count),
        "stack-flood" => AdversarialWeights.StackFlood(count),
        "dup-flood" => AdversarialWeights.DupFlood(count),
        "memo-get-flood" => AdversarialWeights.MemoGetFlood(count),
        "memo-put-flood" => AdversarialWeights.MemoPutFlood(Math.Min(count, 60_000)),
        "append-flood" => AdversarialWeights.AppendFlood(count),
        "appends-flood" => AdversarialWeights.AppendsFlood(count),
        "setitems-flood" => AdversarialWeights.SetItemsFlood(count),
        "wide-tuple" => AdversarialWeights.WideTuple(count),
        "colliding-int-keys" => AdversarialWeights.CollidingIntegerKeys(count),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such flood"),
    };

    [Theory]
    [MemberData(nameof(DenseFloods))]
    public void A_dense_flood_is_refused_once_it_has_built_what_the_file_length_allows(string flood)
    {
        var file = DenseFlood(flood, 200_000);
        var context = new WeightReadContext("flood.pth", WeightReaderLimits.Default, fileBytes: file.Length);

        FluentActions.Invoking(() => PyTorchLegacyReader.Read(file, context))
            .Should().Throw<WeightFormatException>()
            .WithMessage($"Weight file 'flood.pth': the pickle builds more than {context.MaxObjects} objects, the most a file of {file.Length} bytes may (4096 and 64 per KiB; limit MaxPickleObjectsPerKilobyte).");

        context.MaxObjects.Should().Be(4096 + (file.Length / 1024 * 64));
        context.Operations.Should().BeLessThan(2 * context.MaxObjects, "the parse stops when the objects run out, long before the end of the file");
        context.Operations.Should().BeLessThan(file.Length / 4);
    }

    [Theory]
    [InlineData(49, true)]
    [InlineData(27, false)]
    public void A_flood_spread_out_to_one_object_per_16_bytes_parses_and_a_denser_one_does_not(int spacing, bool parses)
    {
        // Each empty dict counts itself and the stack's room for it, which grows by doubling: up to three in all.
        var file = AdversarialWeights.SpacedFlood(20_000, spacing, p => p.EmptyDict());
        var context = new WeightReadContext("spaced.pth", WeightReaderLimits.Default, fileBytes: file.Length);

        var read = () => PyTorchLegacyReader.Read(file, context);

        if (parses)
        {
            read.Should().NotThrow();
            context.Objects.Should().BeInRange(40_000, context.MaxObjects);
        }
        else
        {
            read.Should().Throw<WeightFormatException>().WithMessage("*MaxPickleObjectsPerKilobyte*");
        }
    }

    [Fact]
    public void The_bound_follows_the_file_length_and_the_limit()
    {
        var file = AdversarialWeights.EmptyDictFlood(50_000);
        var raised = new WeightReaderLimits { MaxPickleObjectsPerKilobyte = 4096 };

        var context = new WeightReadContext("raised.pth", raised, fileBytes: file.Length);
        PyTorchLegacyReader.Read(file, context).Should().BeEmpty();
        context.Objects.Should().BeInRange(100_000, 120_000, "each dict and its room on the stack count");

        new WeightReadContext("big.pth", WeightReaderLimits.Default, fileBytes: 64L << 20).MaxObjects.Should().Be(4096 + (64 * 1024 * 64));
        new WeightReadContext("empty.pth", WeightReaderLimits.Default).MaxObjects.Should().Be(4096);
        FluentActions.Invoking(() => new WeightReaderLimits { MaxPickleObjectsPerKilobyte = 0 }).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_memo_number_far_ahead_of_what_was_stored_counts_the_slots_it_allocates()
    {
        var small = AdversarialWeights.MemoJump(1);
        var context = new WeightReadContext("jump.pth", WeightReaderLimits.Default, fileBytes: small.Length);

        FluentActions.Invoking(() => PyTorchLegacyReader.Read(small, context))
            .Should().Throw<WeightFormatException>().WithMessage("*'jump.pth'*MaxPickleObjectsPerKilobyte*");

        // In a file long enough to hold that many objects, the 65,536 slots are allowed, and allocated once.
        var large = AdversarialWeights.MemoJump(200_000);
        var largeContext = new WeightReadContext("jump.pth", WeightReaderLimits.Default, fileBytes: large.Length);
        PyTorchLegacyReader.Read(large, largeContext).Should().BeEmpty();
        largeContext.Objects.Should().BeInRange(65_536, 70_000);
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("legacy")]
    public void The_real_weight_files_build_a_small_fraction_of_what_their_length_allows(string format)
    {
        var file = File.ReadAllBytes(format == "zip" ? SharedAssets.ZipPthWeights : SharedAssets.LegacyPthWeights);
        var context = new WeightReadContext(format, WeightReaderLimits.Default, fileBytes: file.Length);

        var tensors = format == "zip" ? PyTorchZipReader.Read(file, context) : PyTorchLegacyReader.Read(file, context);

        TestContext.Current.TestOutputHelper?.WriteLine($"{format}: {context.Objects} objects, {context.Operations} operations in a file of {file.Length} bytes; bound {context.MaxObjects}");
        tensors.Should().HaveCount(50);
        context.Objects.Should().BeInRange(1_000, 3_000, "SqueezeNet's features build about 40 objects per tensor");
        (context.MaxObjects / context.Objects).Should().BeGreaterThan(50, "the bound leaves the real files ample room");
        context.Objects.Should().BeLessThan((int)WeightReadContext.PickleObjectAllowance, "even a file without its tensor data would be within the allowance");
    }

    [Fact]
    public void A_cancelled_token_stops_the_parse_of_a_large_flood_within_one_cancellation_stride()
    {
        // The slowest flood per byte that the bound admits, 3.9 MB; the token is cancelled as the parse starts.
        var pickle = AdversarialWeights.Spaced(CancellingStart(), 80_000, 49, p => p.EmptyDict()).EmptyDict().Stop().ToArray();

        var (context, operationsAfterCancel) = ParseCancelledAtStart(pickle, "cancel.pth");

        operationsAfterCancel.Should().BeLessThanOrEqualTo(4096 + 4, "the token is checked every 4096 operations");
        context.Objects.Should().BeLessThan(4096, "a few hundred of the 80,000 dicts were built");
    }

    [Fact]
    public void A_cancelled_token_stops_a_run_of_long_strings_as_soon_as_a_run_of_short_opcodes()
    {
        // 100 strings of 64 KiB (6.4 MB): 100 opcodes, which the cancellation stride alone would never reach.
        var start = CancellingStart();
        var text = new string('a', 64 * 1024);
        for (var i = 0; i < 100; i++)
        {
            start.Str(text).Pop();
        }

        var (_, operationsAfterCancel) = ParseCancelledAtStart(start.EmptyDict().Stop().ToArray(), "strings.pth");

        operationsAfterCancel.Should().BeLessThanOrEqualTo(4096 + 1024 + 4, "each 64 KiB string counts 1,024 operations towards the next check");
        operationsAfterCancel.Should().BeLessThan(100 * 1024, "the parse stopped before the last string");
    }

    /// <summary>A pickle's start whose persistent id (<c>BINPERSID</c>) is where <see cref="ParseCancelledAtStart"/> cancels.</summary>
    private static PickleBuilder CancellingStart() => new PickleBuilder().Proto(2).Mark().Str("x").Tuple().BinPersId().Pop();

    /// <summary>
    /// Parses <paramref name="pickle"/>, cancelling the token at its persistent id; asserts that the parse ends cancelled
    /// and returns the context and the operations done after the cancellation.
    /// </summary>
    private static (WeightReadContext Context, long OperationsAfterCancel) ParseCancelledAtStart(byte[] pickle, string name)
    {
        using var cts = new CancellationTokenSource();
        var context = new WeightReadContext(name, WeightReaderLimits.Default, pickle.Length, cts.Token);
        long operationsAtCancel = -1;
        var unpickler = new SafeUnpickler(pickle, 0, pickle.Length, context, _ =>
        {
            operationsAtCancel = context.Operations;
            cts.Cancel();
            return PickleNone.Instance;
        });

        FluentActions.Invoking(unpickler.Load).Should().Throw<OperationCanceledException>();
        operationsAtCancel.Should().BeGreaterThanOrEqualTo(0, "the persistent id was reached");
        return (context, context.Operations - operationsAtCancel);
    }
}
