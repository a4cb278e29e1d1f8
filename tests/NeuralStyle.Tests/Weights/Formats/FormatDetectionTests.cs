using System;
using System.IO;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class FormatDetectionTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("neuralstyle-format-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string, WeightFileFormat> Fixtures => new()
    {
        { "safetensors", WeightFileFormat.SafeTensors },
        { "zip", WeightFileFormat.PyTorchZip },
        { "legacy", WeightFileFormat.PyTorchLegacy },
        { "legacy-protocol4", WeightFileFormat.PyTorchLegacy },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Generated_fixtures_are_detected_under_misleading_names(string fixture, WeightFileFormat expected)
    {
        var bytes = Seeds.ByName(fixture);
        foreach (var name in new[] { "model.safetensors", "model.pth", "model.zip", "model.txt", "model" })
        {
            var path = Path.Combine(_dir.FullName, name);
            File.WriteAllBytes(path, bytes);
            WeightFileReader.DetectFormat(path).Should().Be(expected, because: name);
            WeightFileReader.Read(path).Should().NotBeEmpty();
        }
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x50, 0x4b })]
    [InlineData(new byte[] { 0x80, 0x02, 0x8a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x2e })]
    [InlineData(new byte[] { 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0x20, 0x20 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7b, 0x7d })]
    public void Unknown_content_is_refused_with_the_file_named(byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, "mystery.safetensors");
        File.WriteAllBytes(path, bytes);

        FluentActions.Invoking(() => WeightFileReader.DetectFormat(path))
            .Should().Throw<WeightFormatException>().WithMessage("*mystery.safetensors*not a safetensors, PyTorch zip or legacy PyTorch file*");
        FluentActions.Invoking(() => WeightFileReader.Read(path))
            .Should().Throw<WeightFormatException>().WithMessage("*mystery.safetensors*");
    }

    [Fact]
    public void Arguments_are_checked()
    {
        FluentActions.Invoking(() => WeightFileReader.DetectFormat(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => WeightFileReader.Read(" ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => WeightFileReader.Read((Stream)null!, "x")).Should().Throw<ArgumentNullException>();
        using var stream = new MemoryStream();
        FluentActions.Invoking(() => WeightFileReader.Read(stream, "")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_missing_file_is_an_io_error_not_a_format_error()
        => FluentActions.Invoking(() => WeightFileReader.Read(Path.Combine(_dir.FullName, "absent.pth")))
            .Should().Throw<FileNotFoundException>();

    [Fact]
    public void Files_and_streams_above_the_size_limit_are_refused_before_reading()
    {
        var limits = new WeightReaderLimits { MaxFileBytes = 64 };
        var path = Path.Combine(_dir.FullName, "big.safetensors");
        File.WriteAllBytes(path, Seeds.SafeTensors());

        FluentActions.Invoking(() => WeightFileReader.Read(path, limits))
            .Should().Throw<WeightFormatException>().WithMessage("*big.safetensors*MaxFileBytes*");
        using var stream = new MemoryStream(Seeds.SafeTensors());
        FluentActions.Invoking(() => WeightFileReader.Read(stream, "upload", limits))
            .Should().Throw<WeightFormatException>().WithMessage("*upload*MaxFileBytes*");
    }
}
