using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Pipeline.Inputs;

public sealed class StyleScaleTests
{
    [Theory]
    [InlineData(0.5, 48, 24)]
    [InlineData(2.0, 48, 96)]
    [InlineData(0.25, 48, 16)]
    [InlineData(1.0, 192, 192)]
    public void Style_scale_sets_the_style_size_relative_to_the_content(double scale, int contentSide, int expected)
        => new StyleTransferOptions { StyleSize = 512, StyleScale = scale }.ResolveStyleSize(contentSide).Should().Be(expected);

    [Fact]
    public void Without_style_scale_the_style_size_applies()
    {
        new StyleTransferOptions().ResolveStyleSize(192).Should().Be(512);
        new StyleTransferOptions { StyleSize = null, ImageSize = 100 }.ResolveStyleSize(100).Should().Be(100);
        new StyleTransferOptions { StyleSize = null, ImageSize = null }.ResolveStyleSize(100).Should().BeNull();
    }

    [Fact]
    public async Task Style_scale_overrides_style_size_and_equals_the_size_it_implies()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = ControlsKit.Small(iterations: 3);
        using var scaled = await ControlsKit.Run(content, style, options with { StyleSize = 512, StyleScale = 0.5 });
        using var sized = await ControlsKit.Run(content, style, options with { StyleSize = 24 });
        using var full = await ControlsKit.Run(content, style, options with { StyleSize = 48 });
        scaled.Image.Bytes.Should().Equal(sized.Image.Bytes);
        scaled.Image.Bytes.Should().NotEqual(full.Image.Bytes);
    }
}
