using System;
using System.IO.Compression;
using System.Linq;
using System.Text;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class PyTorchZipReaderTests
{
    public static TheoryData<PickleStyle> Styles => new(PickleStyle.Protocol2, PickleStyle.Protocol4, PickleStyle.Python2);

    [Theory]
    [MemberData(nameof(Styles))]
    public void Views_of_shared_storages_are_reconstructed(PickleStyle style)
    {
        var tensors = Seeds.Read(Seeds.Checkpoint(style).ToZip());

        tensors.Keys.Should().Equal("features.0.weight", "features.0.weight_t", "features.0.bias", "classifier.1.bias");
        tensors["features.0.weight"].Values.ToArray().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
        tensors["features.0.weight_t"].Shape.Should().Equal(3L, 2L);
        tensors["features.0.weight_t"].Values.ToArray().Should().Equal([1f, 4f, 2f, 5f, 3f, 6f], "the transpose shares the storage with stride [1, 3]");
        tensors["features.0.bias"].Values.ToArray().Should().Equal(0.5f, -1f, 2f);
        tensors["classifier.1.bias"].Values.ToArray().Should().Equal([11f, 13f], "offset 1, stride 2");
    }

    [Fact]
    public void A_permuted_tensor_is_gathered_element_by_element()
    {
        // storage 0..23 viewed as shape [4, 2, 3] with strides [1, 12, 4]: element (i, j, k) = i + 12j + 4k.
        var checkpoint = new TorchCheckpoint()
            .Add(new TorchStorageSpec("s", "FloatStorage", Bytes.Float32(Bytes.Range(24))))
            .Add(new TorchTensorSpec("p", "s", 0, [4, 2, 3], [1, 12, 4]))
            .Add(new TorchTensorSpec("broadcast", "s", 5, [3, 2], [0, 1]))
            .Add(new TorchTensorSpec("scalar", "s", 23, [], []))
            .Add(new TorchTensorSpec("empty", "s", 0, [0, 5], [5, 1]));

        var tensors = Seeds.Read(checkpoint.ToZip());

        var expected = (from i in Enumerable.Range(0, 4) from j in Enumerable.Range(0, 2) from k in Enumerable.Range(0, 3) select (float)(i + (12 * j) + (4 * k))).ToArray();
        tensors["p"].Values.ToArray().Should().Equal(expected);
        tensors["broadcast"].Values.ToArray().Should().Equal(5f, 6f, 5f, 6f, 5f, 6f);
        tensors["scalar"].Shape.Should().BeEmpty();
        tensors["scalar"].Values.ToArray().Should().Equal(23f);
        tensors["empty"].Values.Length.Should().Be(0);
    }

    [Fact]
    public void Half_bfloat16_and_double_storages_are_converted()
    {
        var checkpoint = new TorchCheckpoint()
            .Add(new TorchStorageSpec("h", "HalfStorage", Bytes.Float16(1.5f, -0.25f)))
            .Add(new TorchStorageSpec("b", "BFloat16Storage", Bytes.BFloat16(3f, -0.5f)))
            .Add(new TorchStorageSpec("d", "DoubleStorage", Bytes.Float64(Math.E, 1e-3)))
            .Add(new TorchTensorSpec("half", "h", 0, [2]))
            .Add(new TorchTensorSpec("bf16", "b", 0, [2]))
            .Add(new TorchTensorSpec("double", "d", 0, [2]));

        var tensors = Seeds.Read(checkpoint.ToZip());

        tensors["half"].Values.ToArray().Should().Equal(1.5f, -0.25f);
        tensors["bf16"].Values.ToArray().Should().Equal(3f, -0.5f);
        tensors["double"].Values.ToArray().Should().Equal((float)Math.E, (float)1e-3);
    }

    [Fact]
    public void Checkpoint_wrappers_parameters_and_state_dict_metadata_are_understood()
    {
        var checkpoint = new TorchCheckpoint { WrapInStateDict = true, AsParameters = true, WithMetadata = true }
            .AddFloat("features.0.weight", [2], [1, 2])
            .AddFloat("classifier.1.weight", [1], [3]);

        var tensors = Seeds.Read(checkpoint.ToZip());

        tensors.Keys.Should().Equal("features.0.weight", "classifier.1.weight");
        tensors["classifier.1.weight"].Values.ToArray().Should().Equal(3f);
    }

    [Fact]
    public void Tensors_of_a_subclass_rebuilt_from_type_are_read()
    {
        var storages = new TorchCheckpoint().AddFloat("x", [2], [4, 5]);
        var pickle = new PickleBuilder().Proto(2).EmptyDict().Str("x")
            .Global("torch._tensor", "_rebuild_from_type_v2").Mark()
            .Global("torch._utils", "_rebuild_tensor_v2").Global("torch", "Tensor")
            .Mark().Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Int(2).Tuple().BinPersId()
            .Int(0).Int(2).Tuple1().Int(1).Tuple1().Bool(false).Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple()
            .EmptyDict().Tuple().Reduce().SetItem().Stop().ToArray();

        Seeds.Read(storages.ToZip(pickleOverride: pickle))["x"].Values.ToArray().Should().Equal(4f, 5f);
    }

    [Fact]
    public void Big_endian_files_are_byte_swapped_and_a_missing_byteorder_means_little()
    {
        var big = new TorchCheckpoint { BigEndian = true }
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32BigEndian(1.25f, -7f)))
            .Add(new TorchTensorSpec("w", "0", 0, [2]));
        var noRecord = new TorchCheckpoint().AddFloat("w", [2], [1.25f, -7f]);

        Seeds.Read(big.ToZip())["w"].Values.ToArray().Should().Equal(1.25f, -7f);
        Seeds.Read(noRecord.ToZip(writeByteOrder: false))["w"].Values.ToArray().Should().Equal(1.25f, -7f);
    }

    [Fact]
    public void The_archive_folder_may_have_any_name()
        => Seeds.Read(Seeds.Checkpoint().ToZip("squeezenet1_1-b8a52dc0")).Should().HaveCount(4);

    [Fact]
    public void Missing_or_mismatched_storages_are_refused()
    {
        var checkpoint = Seeds.Checkpoint();
        var missing = TorchCheckpoint.Zip([("archive/data.pkl", checkpoint.StateDictPickle(false)), ("archive/data/0", Bytes.Float32(1, 2, 3, 4, 5, 6))]);
        var tooShort = TorchCheckpoint.Zip([("archive/data.pkl", checkpoint.StateDictPickle(false)), ("archive/data/0", Bytes.Float32(1, 2, 3)), ("archive/data/1", Bytes.Float16(1, 2, 3)), ("archive/data/2", new byte[20])]);

        FluentActions.Invoking(() => Seeds.Read(missing, "m.pth")).Should().Throw<WeightFormatException>().WithMessage("*m.pth*storage '1' has no entry 'archive/data/1'*");
        FluentActions.Invoking(() => Seeds.Read(tooShort)).Should().Throw<WeightFormatException>().WithMessage("*'archive/data/0' holds 12 bytes, but the pickle declares 24*");
    }

    [Fact]
    public void A_tensor_reaching_past_its_storage_is_refused()
    {
        var checkpoint = new TorchCheckpoint()
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32(1, 2, 3, 4)))
            .Add(new TorchTensorSpec("w", "0", 1, [2, 2], [2, 1]));

        FluentActions.Invoking(() => Seeds.Read(checkpoint.ToZip()))
            .Should().Throw<WeightFormatException>().WithMessage("*shape [2, 2], stride [2, 1] and offset 1 reaches past the end of storage '0' (4 elements)*");
    }

    [Fact]
    public void Structural_problems_are_refused_with_a_reason()
    {
        var good = Seeds.Checkpoint();
        var noPickle = TorchCheckpoint.Zip([("archive/data/0", new byte[4])]);
        var twoPickles = TorchCheckpoint.Zip([("a/data.pkl", good.StateDictPickle(false)), ("b/data.pkl", good.StateDictPickle(false))]);
        var badOrder = TorchCheckpoint.Zip([("archive/data.pkl", good.StateDictPickle(false)), ("archive/byteorder", "middle"u8.ToArray())]);
        var listPickle = good.ToZip(pickleOverride: new PickleBuilder().Proto(2).EmptyList().Stop().ToArray());
        var intKey = good.ToZip(pickleOverride: TensorPickle(p => p.Int(7)));
        var longStorage = good.ToZip(pickleOverride: TensorPickle(p => p.Str("w"), storageType: "LongStorage"));
        var view = good.ToZip(pickleOverride: TensorPickle(p => p.Str("w"), view: true));

        FluentActions.Invoking(() => Seeds.Read(noPickle)).Should().Throw<WeightFormatException>().WithMessage("*no <archive>/data.pkl*");
        FluentActions.Invoking(() => Seeds.Read(twoPickles)).Should().Throw<WeightFormatException>().WithMessage("*more than one data.pkl*");
        FluentActions.Invoking(() => Seeds.Read(badOrder)).Should().Throw<WeightFormatException>().WithMessage("*neither 'little' nor 'big'*");
        FluentActions.Invoking(() => Seeds.Read(listPickle)).Should().Throw<WeightFormatException>().WithMessage("*is a list, not a state dict*");
        FluentActions.Invoking(() => Seeds.Read(intKey)).Should().Throw<WeightFormatException>().WithMessage("*key 7, which is not a string*");
        FluentActions.Invoking(() => Seeds.Read(longStorage)).Should().Throw<WeightFormatException>().WithMessage("*'torch.LongStorage' is not allowed*");
        FluentActions.Invoking(() => Seeds.Read(view)).Should().Throw<WeightFormatException>().WithMessage("*view metadata, which this format does not use*");
    }

    [Fact]
    public void Storages_and_entries_beyond_the_uncompressed_limit_are_refused_before_inflating()
    {
        // 64 MiB of zeros deflate to ~64 KiB: small zip bombs, once as a storage and once as the pickle itself.
        const int numel = 16 << 20;
        var storageBomb = TorchCheckpoint.Zip([("archive/data.pkl", TensorPickle(p => p.Str("w"), numel: numel)), ("archive/data/0", new byte[numel * 4])], CompressionLevel.Optimal);
        var pickleBomb = TorchCheckpoint.Zip([("archive/data.pkl", new byte[numel * 4])], CompressionLevel.Optimal);
        storageBomb.Length.Should().BeLessThan(1 << 20);
        var limits = new WeightReaderLimits { MaxUncompressedBytes = 8 << 20 };

        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => Seeds.Read(storageBomb, "bomb.pth", limits))
            .Should().Throw<WeightFormatException>().WithMessage("*bomb.pth*storage '0'*MaxUncompressedBytes*");
        FluentActions.Invoking(() => Seeds.Read(pickleBomb, "bomb.pth", limits))
            .Should().Throw<WeightFormatException>().WithMessage("*bomb.pth*archive/data.pkl*MaxUncompressedBytes*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(4 << 20);
    }

    [Fact]
    public void An_archive_whose_entries_expand_to_more_than_four_times_its_length_is_refused_before_inflating()
    {
        // 4 MiB of zeros deflate to a few KiB: within MaxUncompressedBytes, but inflating and checking it would cost
        // a thousand times what the file's length suggests. Stored, as torch.save writes it, the same tensor is read.
        const int numel = 1 << 20;
        var entries = new (string, byte[])[] { ("archive/data.pkl", TensorPickle(p => p.Str("w"), numel: numel)), ("archive/data/0", new byte[numel * 4]) };
        var deflated = TorchCheckpoint.Zip(entries, CompressionLevel.Optimal);
        var stored = TorchCheckpoint.Zip(entries);
        deflated.Length.Should().BeLessThan(64 << 10);

        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => Seeds.Read(deflated, "packed.pth"))
            .Should().Throw<WeightFormatException>().WithMessage($"Weight file 'packed.pth': zip entry 'archive/data/0' would expand the archive's {deflated.Length} bytes beyond *(4 times their length and 1 MiB; torch.save stores entries uncompressed).");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20, "the 4 MiB entry is refused before it is inflated");
        Seeds.Read(stored, "stored.pth")["w"].Values.Length.Should().Be(numel);
    }

    [Fact]
    public void The_uncompressed_limit_counts_all_entries_together()
    {
        var checkpoint = new TorchCheckpoint().AddFloat("a", [256], new float[256]).AddFloat("b", [256], new float[256]);
        var file = checkpoint.ToZip();

        Seeds.Read(file, limits: new WeightReaderLimits { MaxUncompressedBytes = 4096 }).Should().HaveCount(2);
        FluentActions.Invoking(() => Seeds.Read(file, limits: new WeightReaderLimits { MaxUncompressedBytes = 2000 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxUncompressedBytes*");
    }

    [Fact]
    public void An_entry_is_never_inflated_beyond_its_declared_size()
    {
        // The directory says 16 bytes, the deflate stream holds 1 MiB: at most the declared 16 bytes are used.
        var pickle = TensorPickle(p => p.Str("w"), numel: 4);
        var liar = TorchCheckpoint.Zip([("archive/data.pkl", pickle), ("archive/data/0", new byte[1 << 20])], CompressionLevel.Optimal);
        TorchCheckpoint.PatchUncompressedSize(liar, "archive/data/0", 16);

        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Seeds.Read(liar)["w"].Values.ToArray().Should().Equal(0f, 0f, 0f, 0f);
        }
        catch (WeightFormatException ex)
        {
            ex.Message.Should().Contain("archive/data/0");
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(512 << 10);
    }

    [Fact]
    public void Truncated_and_corrupt_archives_are_refused()
    {
        var zip = Seeds.Zip();
        foreach (var length in new[] { 4, 30, zip.Length / 2, zip.Length - 23, zip.Length - 1 })
        {
            FluentActions.Invoking(() => Seeds.Read(zip[..length], "cut.pth")).Should().Throw<WeightFormatException>().WithMessage("*cut.pth*", because: $"cut at {length}");
        }

        var corrupt = (byte[])zip.Clone();
        var at = Encoding.ASCII.GetString(zip).IndexOf("archive/data.pkl", StringComparison.Ordinal) + 16;
        corrupt[at + 5] ^= 0xff;
        FluentActions.Invoking(() => Seeds.Read(corrupt)).Should().Throw<WeightFormatException>();
    }

    /// <summary>{key: tensor of numel float elements on storage '0'}, with a customisable key, storage type or view metadata.</summary>
    internal static byte[] TensorPickle(Action<PickleBuilder> key, string storageType = "FloatStorage", bool view = false, long numel = 6)
    {
        var p = new PickleBuilder().Proto(2).EmptyDict();
        key(p);
        p.Global("torch._utils", "_rebuild_tensor_v2")
            .Mark().Mark().Str("storage").Global("torch", storageType).Str("0").Str("cpu").Int(numel);
        if (view)
        {
            p.Str("v").Int(0).Int(1).Tuple3();
        }

        return p.Tuple().BinPersId().Int(0).Int(numel).Tuple1().Int(1).Tuple1().Bool(false)
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce().SetItem().Stop().ToArray();
    }
}
