using System;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class PyTorchLegacyReaderTests
{
    public static TheoryData<PickleStyle> Styles => new(PickleStyle.Protocol2, PickleStyle.Protocol4, PickleStyle.Python2);

    [Theory]
    [MemberData(nameof(Styles))]
    public void Views_of_shared_storages_and_storage_views_are_reconstructed(PickleStyle style)
    {
        var file = Seeds.Checkpoint(style, legacyView: true).ToLegacy();
        WeightFileReader.Detect(file, file.Length).Should().Be(WeightFileFormat.PyTorchLegacy);

        var tensors = Seeds.Read(file);

        tensors.Keys.Should().Equal("features.0.weight", "features.0.weight_t", "features.0.bias", "classifier.1.bias", "classifier.1.weight");
        tensors["features.0.weight_t"].Values.ToArray().Should().Equal(1f, 4f, 2f, 5f, 3f, 6f);
        tensors["features.0.bias"].Values.ToArray().Should().Equal(0.5f, -1f, 2f);
        tensors["classifier.1.bias"].Values.ToArray().Should().Equal(11f, 13f);
        tensors["classifier.1.weight"].Values.ToArray().Should().Equal([13f, 14f], "a view of storage '2' at element 3");
    }

    [Fact]
    public void A_file_like_torchvisions_with_classifier_keys_is_read_with_all_keys()
    {
        var checkpoint = new TorchCheckpoint { Style = PickleStyle.Python2 }
            .AddFloat("features.0.weight", [2, 1, 1, 1], [1, 2])
            .AddFloat("features.0.bias", [2], [3, 4])
            .AddFloat("classifier.1.weight", [3, 2, 1, 1], [5, 6, 7, 8, 9, 10])
            .AddFloat("classifier.1.bias", [3], [11, 12, 13]);

        var tensors = Seeds.Read(checkpoint.ToLegacy(), "squeezenet1_1-b8a52dc0.pth");

        tensors.Keys.Should().Equal("features.0.weight", "features.0.bias", "classifier.1.weight", "classifier.1.bias");
        tensors["classifier.1.weight"].Shape.Should().Equal(3L, 2L, 1L, 1L);
        tensors["classifier.1.bias"].Values.ToArray().Should().Equal(11f, 12f, 13f);
    }

    [Fact]
    public void Tensors_pickled_by_old_pytorch_with_rebuild_tensor_v1_are_read()
    {
        // PyTorch 0.3 and earlier: _rebuild_tensor(storage, storage_offset, size, stride), a GPU location tag and Python 2 strings.
        var checkpoint = new TorchCheckpoint().AddFloat("w", [2, 2], [1, 2, 3, 4]);
        var pickle = new PickleBuilder().Proto(2).Global("collections", "OrderedDict").EmptyTuple().Reduce().Py2Str("w")
            .Global("torch._utils", "_rebuild_tensor")
            .Mark().Mark().Py2Str("storage").Global("torch", "FloatStorage").Py2Str("0").Py2Str("cuda:0").Int(4).None().Tuple().BinPersId()
            .Int(0).Int(2).Int(2).Tuple2().Int(1).Int(2).Tuple2().Tuple().Reduce().SetItem().Stop().ToArray();

        Seeds.Read(checkpoint.ToLegacy(pickle))["w"].Values.ToArray().Should().Equal(1f, 3f, 2f, 4f);
    }

    [Fact]
    public void Big_endian_files_are_byte_swapped()
    {
        var checkpoint = new TorchCheckpoint { BigEndian = true }
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32BigEndian(2.5f, -1f, 8f)))
            .Add(new TorchTensorSpec("w", "0", 0, [3]));

        Seeds.Read(checkpoint.ToLegacy())["w"].Values.ToArray().Should().Equal(2.5f, -1f, 8f);
    }

    [Fact]
    public void Trailing_bytes_after_the_storages_are_ignored_like_torch_load_does()
    {
        var file = Seeds.Legacy().Concat(new byte[] { 1, 2, 3 }).ToArray();

        Seeds.Read(file).Should().HaveCount(5);
    }

    [Fact]
    public void Storage_data_must_match_the_state_dict()
    {
        var checkpoint = Seeds.Checkpoint();

        var wrongCount = checkpoint.ToLegacy(countOf: s => s.Key == "1" ? 4 : s.Numel);
        var truncated = checkpoint.ToLegacy()[..^3];
        var unlisted = checkpoint.ToLegacy(keyListOverride: ["0", "1"]);
        var unknown = checkpoint.ToLegacy(keyListOverride: ["0", "1", "2", "9"]);
        var repeated = checkpoint.ToLegacy(keyListOverride: ["0", "1", "1", "2"]);

        FluentActions.Invoking(() => Seeds.Read(wrongCount, "old.pth")).Should().Throw<WeightFormatException>().WithMessage("*old.pth*storage '1' holds 4 elements, but the state dict declares 3*");
        FluentActions.Invoking(() => Seeds.Read(truncated)).Should().Throw<WeightFormatException>().WithMessage("*data of storage '2' is truncated*");
        FluentActions.Invoking(() => Seeds.Read(unlisted)).Should().Throw<WeightFormatException>().WithMessage("*storage '2' is not in the storage key list*");
        FluentActions.Invoking(() => Seeds.Read(unknown)).Should().Throw<WeightFormatException>().WithMessage("*names '9', which the state dict does not use*");
        FluentActions.Invoking(() => Seeds.Read(repeated)).Should().Throw<WeightFormatException>().WithMessage("*names '1'*or the list repeats*");
    }

    [Fact]
    public void Header_pickles_must_be_those_of_a_legacy_file()
    {
        var file = Seeds.Legacy();
        var magicEnd = 2 + 2 + 10 + 1;

        // Protocol version 1002 instead of 1001.
        var wrongVersion = file[..magicEnd].Concat(new PickleBuilder().Proto(2).Int(1002).Stop().ToArray()).Concat(file[(magicEnd + 6)..]).ToArray();
        var noSysInfo = file[..(magicEnd + 6)].Concat(new PickleBuilder().Proto(2).None().Stop().ToArray()).ToArray();
        var onlyHeader = file[..(magicEnd + 6)];

        FluentActions.Invoking(() => Seeds.Read(wrongVersion)).Should().Throw<WeightFormatException>().WithMessage("*unknown legacy protocol version*");
        FluentActions.Invoking(() => Seeds.Read(noSysInfo)).Should().Throw<WeightFormatException>().WithMessage("*sys_info is not a dict*");
        FluentActions.Invoking(() => Seeds.Read(onlyHeader)).Should().Throw<WeightFormatException>().WithMessage("*without a STOP*");
    }

    [Fact]
    public void Views_outside_their_storage_are_refused()
    {
        var checkpoint = new TorchCheckpoint()
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32(1, 2, 3)))
            .Add(new TorchTensorSpec("w", "0", 0, [2], null, new TorchViewSpec("v", 2, 2)));

        FluentActions.Invoking(() => Seeds.Read(checkpoint.ToLegacy())).Should().Throw<WeightFormatException>().WithMessage("*storage '0' has invalid view metadata*");
    }

    [Fact]
    public void Storage_sizes_are_checked_against_the_file_limit_before_anything_is_allocated()
    {
        var checkpoint = new TorchCheckpoint().AddFloat("w", [4], [1, 2, 3, 4]);
        var huge = checkpoint.ToLegacy(pickleOverride: PyTorchZipReaderTests.TensorPickle(p => p.Str("w"), numel: 1L << 40));

        FluentActions.Invoking(() => Seeds.Read(huge)).Should().Throw<WeightFormatException>().WithMessage("*storage '0' declares 1099511627776 elements*MaxFileBytes*");
    }
}
