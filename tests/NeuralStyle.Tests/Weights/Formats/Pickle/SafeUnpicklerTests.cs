using System;
using System.Diagnostics;
using System.Numerics;
using FluentAssertions;
using NeuralStyle.Weights;
using NeuralStyle.Weights.Pickle;
using Xunit;

namespace NeuralStyle.Tests.Weights.Formats.Pickle;

public sealed class SafeUnpicklerTests
{
    public static TheoryData<string, string> ForbiddenGlobals => new()
    {
        { "os", "system" },
        { "builtins", "eval" },
        { "builtins", "exec" },
        { "posix", "system" },
        { "nt", "system" },
        { "subprocess", "Popen" },
        { "builtins", "getattr" },
        { "torch", "load" },
        { "torch._utils", "_rebuild_device_tensor_from_numpy" },
        { "torch", "LongStorage" },
        { "collections", "OrderedDict.__new__" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenGlobals))]
    public void Forbidden_GLOBAL_is_refused_with_the_global_named(string module, string name)
    {
        var pickle = new PickleBuilder().Proto(2).Global(module, name).Str("echo pwned").Tuple1().Reduce().Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle))
            .Should().Throw<WeightFormatException>().WithMessage($"*'{module}.{name}' is not allowed*");
    }

    [Theory]
    [MemberData(nameof(ForbiddenGlobals))]
    public void Forbidden_STACK_GLOBAL_is_refused_with_the_global_named(string module, string name)
    {
        var pickle = new PickleBuilder().Proto(4).StackGlobal(module, name).Memoize().ShortStr("echo pwned").Tuple1().Reduce().Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle))
            .Should().Throw<WeightFormatException>().WithMessage($"*'{module}.{name}' is not allowed*");
    }

    [Fact]
    public void Forbidden_INST_is_refused_with_the_global_named()
    {
        var pickle = new PickleBuilder().Mark().Str("id").Op((byte)'i').Raw("os\nsystem\n"u8).Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle)).Should().Throw<WeightFormatException>().WithMessage("*'os.system' is not allowed*");
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("posix", "system")]
    public void Forbidden_globals_are_refused_in_zip_and_legacy_files(string module, string name)
    {
        // A state dict whose first value is os.system('...') instead of a tensor.
        var evil = new PickleBuilder().Proto(2).EmptyDict().Str("features.0.weight")
            .Global(module, name).Str("touch /tmp/pwned").Tuple1().Reduce().SetItem().Stop().ToArray();
        var stackEvil = new PickleBuilder().Proto(4).EmptyDict().ShortStr("features.0.weight")
            .StackGlobal(module, name).ShortStr("touch /tmp/pwned").Tuple1().Reduce().SetItem().Stop().ToArray();
        var checkpoint = Seeds.Checkpoint();

        foreach (var file in new[] { checkpoint.ToZip(pickleOverride: evil), checkpoint.ToZip(pickleOverride: stackEvil), checkpoint.ToLegacy(evil), checkpoint.ToLegacy(stackEvil) })
        {
            FluentActions.Invoking(() => Seeds.Read(file, "evil.pth"))
                .Should().Throw<WeightFormatException>().WithMessage($"*evil.pth*'{module}.{name}' is not allowed*");
        }
    }

    [Fact]
    public void Allowed_globals_cannot_be_called_in_other_ways()
    {
        var callStorage = new PickleBuilder().Proto(2).Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop().ToArray();
        var newRebuild = new PickleBuilder().Proto(2).Global("torch._utils", "_rebuild_tensor_v2").EmptyTuple().NewObj().Stop().ToArray();
        var callString = new PickleBuilder().Proto(2).Str("os.system").EmptyTuple().Reduce().Stop().ToArray();
        var buildString = new PickleBuilder().Proto(2).Str("x").EmptyDict().Build().Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(callStorage)).Should().Throw<WeightFormatException>().WithMessage("*'torch.FloatStorage' cannot be called*");
        FluentActions.Invoking(() => Unpickle(newRebuild)).Should().Throw<WeightFormatException>().WithMessage("*cannot be instantiated*");
        FluentActions.Invoking(() => Unpickle(callString)).Should().Throw<WeightFormatException>().WithMessage("*REDUCE is applied to a str*");
        FluentActions.Invoking(() => Unpickle(buildString)).Should().Throw<WeightFormatException>().WithMessage("*BUILD is applied to a str*");
    }

    [Fact]
    public void Deeply_nested_marks_are_refused_not_a_stack_overflow()
    {
        var pickle = new PickleBuilder().Proto(2).Repeat(1_000_000, p => p.Mark()).Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle)).Should().Throw<WeightFormatException>().WithMessage("*MaxPickleDepth*");
    }

    [Fact]
    public void Deeply_nested_tuples_are_refused_not_a_stack_overflow()
    {
        var pickle = new PickleBuilder().Proto(2).EmptyTuple().Repeat(1_000_000, p => p.Tuple1()).Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle)).Should().Throw<WeightFormatException>().WithMessage("*nested deeper than 32*MaxPickleDepth*");
    }

    [Fact]
    public void Deeply_nested_lists_and_dicts_are_refused_not_a_stack_overflow()
    {
        var lists = new PickleBuilder().Proto(2).Repeat(100_000, p => p.EmptyList()).Repeat(100_000, p => p.Append()).Stop().ToArray();
        var dicts = new PickleBuilder().Proto(2).Repeat(100_000, p => p.EmptyDict().Str("k")).EmptyDict().Repeat(100_000, p => p.SetItem()).Stop().ToArray();

        // The object bound would refuse these 100,000 containers first (PickleObjectBoundTests); here it is lifted.
        var depthOnly = new WeightReaderLimits { MaxPickleObjectsPerKilobyte = 1 << 20 };
        FluentActions.Invoking(() => Unpickle(lists, depthOnly)).Should().Throw<WeightFormatException>().WithMessage("*MaxPickleDepth*");
        FluentActions.Invoking(() => Unpickle(dicts, depthOnly)).Should().Throw<WeightFormatException>().WithMessage("*MaxPickleDepth*");
    }

    [Fact]
    public void Nesting_within_the_limit_is_read()
    {
        var pickle = new PickleBuilder().Proto(2).EmptyTuple().Repeat(31, p => p.Tuple1()).Stop().ToArray();

        Unpickle(pickle).Should().BeOfType<PickleTuple>().Which.Depth.Should().Be(32);
    }

    public static TheoryData<string, byte[]> HugeLengths => new()
    {
        { "BINUNICODE 4 GiB", new PickleBuilder().Proto(2).Op((byte)'X').UInt32(uint.MaxValue).Raw("abc"u8).ToArray() },
        { "BINUNICODE8 2^63", new PickleBuilder().Proto(4).Op(0x8d).UInt64(1UL << 63).Raw("abc"u8).ToArray() },
        { "BINUNICODE8 max", new PickleBuilder().Proto(4).Op(0x8d).UInt64(ulong.MaxValue).ToArray() },
        { "BINBYTES 4 GiB", new PickleBuilder().Proto(3).Op((byte)'B').UInt32(uint.MaxValue).ToArray() },
        { "BINBYTES8 2^62", new PickleBuilder().Proto(4).Op(0x8e).UInt64(1UL << 62).ToArray() },
        { "BINSTRING 2 GiB", new PickleBuilder().Proto(2).Op((byte)'T').Int32(int.MaxValue).ToArray() },
        { "BINSTRING negative", new PickleBuilder().Proto(2).Op((byte)'T').Int32(-5).ToArray() },
        { "SHORT_BINUNICODE past end", new PickleBuilder().Proto(4).Raw(0x8c, 0xff).Raw("ab"u8).ToArray() },
        { "LONG4 2 GiB", new PickleBuilder().Proto(2).Op(0x8b).Int32(int.MaxValue).ToArray() },
        { "LONG4 negative", new PickleBuilder().Proto(2).Op(0x8b).Int32(-1).ToArray() },
        { "LONG1 past end", new PickleBuilder().Proto(2).Raw(0x8a, 0xff, 1, 2).ToArray() },
        { "FRAME 2^64-1", new PickleBuilder().Proto(4).Frame(ulong.MaxValue).None().Stop().ToArray() },
        { "LONG_BINPUT 4G index", new PickleBuilder().Proto(2).None().LongBinPut(uint.MaxValue).LongBinGet(uint.MaxValue - 1).Stop().ToArray() },
    };

    [Theory]
    [MemberData(nameof(HugeLengths))]
    public void Huge_declared_lengths_are_refused_without_allocating(string what, byte[] pickle)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        FluentActions.Invoking(() => Unpickle(pickle)).Should().Throw<WeightFormatException>(what);

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, what);
    }

    [Fact]
    public void Memo_and_operation_budgets_apply()
    {
        var memo = new PickleBuilder().Proto(2).None().Repeat(11, p => p.LongBinPut((uint)p.Length)).Stop().ToArray();
        var ops = new PickleBuilder().Proto(2).Repeat(1000, p => p.None().Pop()).None().Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(memo, new WeightReaderLimits { MaxPickleMemoEntries = 10 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxPickleMemoEntries*");
        FluentActions.Invoking(() => Unpickle(ops, new WeightReaderLimits { MaxPickleOperations = 1000 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxPickleOperations*");
        Unpickle(ops, new WeightReaderLimits { MaxPickleOperations = 2003 }).Should().Be(PickleNone.Instance);
    }

    [Fact]
    public void Long_dict_keys_are_charged_for_hashing()
    {
        // One 64 KiB key stored 10,000 times would hash 640 MB. Uncharged, its 30,000 opcodes fit a budget of 100,000;
        // charged (1 unit per 64 characters hashed), the budget stops it after about 100 keys, 6.4 MB hashed.
        var pickle = new PickleBuilder().Proto(2).EmptyDict().Str(new string('k', 65536)).BinPut(0).Pop()
            .Repeat(10_000, p => p.BinGet(0).None().SetItem()).Stop().ToArray();

        FluentActions.Invoking(() => Unpickle(pickle, new WeightReaderLimits { MaxPickleOperations = 100_000 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxPickleOperations*");
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02 }, "*without a STOP*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x2e }, "*stack is empty*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x68, 0x05, 0x2e }, "*memo entry 5 is read before it is written*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x74, 0x2e }, "*needs a MARK*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x82, 0x01, 0x2e }, "*unsupported pickle opcode 0x82*")]
    [InlineData(new byte[] { 0x80, 0x09, 0x4e, 0x2e }, "*unsupported pickle protocol 9*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x4e, 0x4e, 0x61, 0x2e }, "*APPEND is applied to a None*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x7d, 0x5d, 0x4e, 0x73, 0x2e }, "*dict key is a list*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x7d, 0x28, 0x4e, 0x75, 0x2e }, "*odd number*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x4e, 0x51, 0x2e }, "*persistent id appears where none is expected*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x58, 0x02, 0, 0, 0, 0xc3, 0x28, 0x2e }, "*not valid UTF-8*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x63, 0x6f, 0x73, 0x0a, 0x2e }, "*name line has no end*")]
    [InlineData(new byte[] { 0x80, 0x02, 0x63, 0x6f, 0x01, 0x0a, 0x61, 0x0a, 0x2e }, "*not printable ASCII*")]
    [InlineData(new byte[] { 0x80, 0x04, 0x4b, 0x01, 0x4b, 0x02, 0x93, 0x2e }, "*STACK_GLOBAL is given a module or name that is not a string*")]
    public void Malformed_pickles_are_refused_with_a_reason(byte[] pickle, string message)
        => FluentActions.Invoking(() => Unpickle(pickle)).Should().Throw<WeightFormatException>().WithMessage("*unit.pkl*pickle byte*").WithMessage(message);

    [Fact]
    public void Scalars_and_containers_are_read()
    {
        var pickle = new PickleBuilder().Proto(2).EmptyList().Mark()
            .Int(5).Int(300).Int(-7).Int(1L << 40).Long1([]).Long1([0xff]).Long1(TorchCheckpoint.MagicBytes)
            .Float(2.5).Bool(true).Bool(false).None().Str("ü").Py2Str("py2").Bytes([1, 2])
            .Mark().Int(1).Int(2).Tuple().Mark().Str("k").Int(1).Op((byte)'d')
            .Appends().Op((byte)'2').Pop().Stop().ToArray();

        var list = Unpickle(pickle).Should().BeOfType<PickleList>().Subject;

        list.Items.Should().HaveCount(16);
        list.Items[0].Should().Be(5L);
        list.Items[1].Should().Be(300L);
        list.Items[2].Should().Be(-7L);
        list.Items[3].Should().Be(1L << 40);
        list.Items[4].Should().Be(0L);
        list.Items[5].Should().Be(-1L);
        list.Items[6].Should().Be(new BigInteger(TorchCheckpoint.MagicBytes, isUnsigned: true));
        list.Items[7].Should().Be(2.5);
        list.Items[8].Should().Be(true);
        list.Items[10].Should().Be(PickleNone.Instance);
        list.Items[11].Should().Be("ü");
        list.Items[12].Should().Be("py2");
        list.Items[13].Should().BeEquivalentTo(new byte[] { 1, 2 });
        list.Items[14].Should().BeOfType<PickleTuple>().Which.Items.Should().Equal(1L, 2L);
        list.Items[15].Should().BeOfType<PickleDict>().Which.Count.Should().Be(1);
    }

    private static object Unpickle(byte[] pickle, WeightReaderLimits? limits = null)
    {
        var context = new WeightReadContext("unit.pkl", limits ?? WeightReaderLimits.Default, pickle.Length);
        return new SafeUnpickler(pickle, 0, pickle.Length, context, null).Load();
    }
}
