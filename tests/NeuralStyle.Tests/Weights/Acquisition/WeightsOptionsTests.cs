using System;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class WeightsOptionsTests
{
    [Fact]
    public void SqueezeNet_descriptor_points_at_torchvisions_official_file()
    {
        var weights = SqueezeNetWeights.Descriptor;

        weights.DownloadUri.Should().Be(new Uri("https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth"));
        weights.Sha256.Should().Be("b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b");
        weights.FileName.Should().Be("squeezenet1_1-b8a52dc0.pth");
    }

    [Fact]
    public void Defaults_allow_a_bounded_download()
    {
        var options = new WeightsOptions();

        options.AllowDownload.Should().BeTrue();
        options.DownloadTimeout.Should().Be(TimeSpan.FromMinutes(10));
        options.StallTimeout.Should().Be(TimeSpan.FromSeconds(60));
        options.Path.Should().BeNull();
        options.CacheDirectory.Should().BeNull();
        options.HttpClient.Should().BeNull();
        options.Logger.Should().BeNull();
    }

    [Fact]
    public void Hash_is_stored_in_lower_case()
        => (SqueezeNetWeights.Descriptor with { Sha256 = SqueezeNetWeights.Sha256.ToUpperInvariant() }).Sha256.Should().Be(SqueezeNetWeights.Sha256);

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("g8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b")]
    [InlineData("b8a52dc049b60e4b6ab68ad0df457362afab8b6304b2febdc1650a5dab4d7e7b0")]
    public void Malformed_hash_is_rejected(string hash)
        => FluentActions.Invoking(() => SqueezeNetWeights.Descriptor with { Sha256 = hash }).Should().Throw<ArgumentException>().WithParameterName("Sha256");

    [Theory]
    [InlineData("ftp://example.com/w.pth")]
    [InlineData("file:///tmp/w.pth")]
    public void Non_http_address_is_rejected(string uri)
        => FluentActions.Invoking(() => SqueezeNetWeights.Descriptor with { DownloadUri = new Uri(uri) }).Should().Throw<ArgumentException>().WithParameterName("DownloadUri");

    [Fact]
    public void Relative_address_is_rejected()
        => FluentActions.Invoking(() => SqueezeNetWeights.Descriptor with { DownloadUri = new Uri("models/w.pth", UriKind.Relative) })
            .Should().Throw<ArgumentException>();

    [Theory]
    [InlineData("../escape.pth")]
    [InlineData("sub/name.pth")]
    [InlineData("sub\\name.pth")]
    [InlineData("..")]
    [InlineData(" ")]
    [InlineData("wild*.pth")]
    public void Cache_file_name_must_be_a_plain_name(string name)
        => FluentActions.Invoking(() => SqueezeNetWeights.Descriptor with { FileName = name }).Should().Throw<ArgumentException>();

    [Fact]
    public void Timeouts_must_be_positive_or_infinite()
    {
        FluentActions.Invoking(() => new WeightsOptions { DownloadTimeout = TimeSpan.Zero }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new WeightsOptions { StallTimeout = TimeSpan.FromSeconds(-1) }).Should().Throw<ArgumentOutOfRangeException>();
        new WeightsOptions { DownloadTimeout = Timeout.InfiniteTimeSpan }.DownloadTimeout.Should().Be(Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public void Blank_paths_and_a_non_positive_size_limit_are_rejected()
    {
        FluentActions.Invoking(() => new WeightsOptions { Path = " " }).Should().Throw<ArgumentException>().WithParameterName("Path");
        FluentActions.Invoking(() => new WeightsOptions { CacheDirectory = "" }).Should().Throw<ArgumentException>().WithParameterName("CacheDirectory");
        FluentActions.Invoking(() => new WeightsOptions { MaxDownloadBytes = 0 }).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Progress_fraction_is_unknown_without_a_total()
    {
        new WeightsDownloadProgress(10, null).Fraction.Should().BeNull();
        new WeightsDownloadProgress(25, 100).Fraction.Should().Be(0.25);
    }
}
