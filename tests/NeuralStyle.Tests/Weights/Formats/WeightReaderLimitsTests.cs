using System;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class WeightReaderLimitsTests
{
    [Fact]
    public void Defaults_follow_the_models_the_library_knows()
    {
        var limits = WeightReaderLimits.Default;

        limits.MaxFileBytes.Should().Be(64L << 20);
        limits.MaxUncompressedBytes.Should().Be(64L << 20);
        limits.MaxHeaderBytes.Should().Be(1 << 20);
        limits.MaxTensorCount.Should().Be(1024);
        limits.MaxTensorElements.Should().Be(1L << 24);
        limits.MaxTotalElements.Should().Be(1L << 24);
        limits.MaxPickleDepth.Should().Be(32);
        limits.MaxPickleMemoEntries.Should().Be(1 << 16);
        limits.MaxPickleOperations.Should().Be(2_000_000);

        // torchvision's whole SqueezeNet 1.1 file (1,235,496 parameters, 52 tensors, 4.8 MB) fits with room to spare.
        limits.MaxTotalElements.Should().BeGreaterThan(10 * 1_235_496L);
        limits.MaxFileBytes.Should().BeGreaterThan(10 * 4_966_400L);
    }

    [Fact]
    public void SqueezeNets_pickles_need_a_hundredth_of_the_default_work_and_memo()
    {
        var tight = new WeightReaderLimits { MaxPickleOperations = 20_000, MaxPickleMemoEntries = 650, MaxPickleDepth = 10 };

        WeightFileReader.Read(TestSupport.SharedAssets.LegacyPthWeights, tight).Should().HaveCount(50);
        WeightFileReader.Read(TestSupport.SharedAssets.ZipPthWeights, tight).Should().HaveCount(50);
    }

    [Fact]
    public void Values_must_be_positive()
    {
        FluentActions.Invoking(() => new WeightReaderLimits { MaxFileBytes = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxUncompressedBytes = -1 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxHeaderBytes = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxTensorCount = -5 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxTensorElements = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxTensorElements = 1L << 31 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxTotalElements = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxPickleDepth = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxPickleMemoEntries = 0 }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightReaderLimits { MaxPickleOperations = 0 }).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_broadcast_view_cannot_inflate_a_tiny_file_beyond_the_element_budget()
    {
        // One stored float viewed with stride 0 as 2^30 elements.
        var checkpoint = new TorchCheckpoint()
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32(1)))
            .Add(new TorchTensorSpec("w", "0", 0, [1L << 30], [0]));
        var many = new TorchCheckpoint().Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32(1)));
        for (var i = 0; i < 5; i++)
        {
            many.Add(new TorchTensorSpec($"w{i}", "0", 0, [1L << 20], [0]));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => Seeds.Read(checkpoint.ToZip())).Should().Throw<WeightFormatException>().WithMessage("*MaxTensorElements*");
        FluentActions.Invoking(() => Seeds.Read(many.ToZip(), limits: new WeightReaderLimits { MaxTotalElements = 4 << 20 }))
            .Should().Throw<WeightFormatException>().WithMessage("*MaxTotalElements*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void Names_taken_from_a_file_are_shortened_in_messages()
    {
        var name = new string('n', 100_000);
        var file = SafeTensorsFile.Build([(name, "I64", [1], new byte[8])]);

        var message = FluentActions.Invoking(() => Seeds.Read(file)).Should().Throw<WeightFormatException>().Which.Message;

        message.Length.Should().BeLessThan(400);
        message.Should().Contain("nnnn…'");
    }
}
