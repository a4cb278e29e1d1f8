using System;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Pipeline;

/// <summary>What the docs promise of the entry point: the tensor overload keeps the layout, a small budget is refused with a suggestion.</summary>
public sealed class EntryPointPromiseTests
{
    [Fact]
    public async Task The_tensor_overload_returns_the_layout_it_was_given()
    {
        using var scope = NewDisposeScope();
        using var contentBitmap = SampleImages.Content();
        using var styleBitmap = SampleImages.Style();
        var content = ImageTensor.ToRgb01(ImageTensor.FromBitmap(contentBitmap, 48));
        var style = ImageTensor.ToRgb01(ImageTensor.FromBitmap(styleBitmap, 48));
        var options = RunKinds.Options(RunKind.Whole, iterations: 2) with { ImageSize = null };

        using var unbatched = await StyleTransfer.RunAsync(content[0], style[0], options, cancellationToken: TestContext.Current.CancellationToken);
        using var batched = await StyleTransfer.RunAsync(content, style, options, cancellationToken: TestContext.Current.CancellationToken);

        unbatched.Image.shape.Should().Equal(content[0].shape, "[3,H,W] in gives [3,H,W] out");
        batched.Image.shape.Should().Equal(content.shape, "[1,3,H,W] in gives [1,3,H,W] out");
        Tensors.Identical(unbatched.Image, batched.Image[0]).Should().BeTrue("the layout changes nothing else");
    }

    [Fact]
    public async Task Too_small_a_memory_budget_is_refused_before_any_work_with_a_suggested_budget()
    {
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var options = RunKinds.Options(RunKind.Whole) with { ImageSize = 1024, HighResolution = RunKinds.Options(RunKind.Whole).HighResolution with { MaxMemoryBytes = 64L << 20 }, Weights = RunKinds.Options(RunKind.Whole).Weights with { Path = "/nonexistent/weights.safetensors" } };
        var log = new ProgressLog();

        var refusal = await FluentActions.Awaiting(() => StyleTransfer.RunAsync(content, style, options, log, TestContext.Current.CancellationToken))
            .Should().ThrowExactlyAsync<InsufficientMemoryException>();

        refusal.Which.Message.Should().Contain("StyleTransferOptions.HighResolution.MaxMemoryBytes").And.Contain("allow at least");
        var suggested = (long)refusal.Which.Data["SuggestedBytes"]!;
        suggested.Should().BeGreaterThan(64L << 20);
        log.All.Should().BeEmpty("nothing was started: not even the weights were looked for");
        var estimate = StyleTransfer.EstimateMemory(1365, 1024, options with { HighResolution = options.HighResolution with { MaxMemoryBytes = suggested } });
        estimate.Tiles.Should().BeGreaterThan(1, "the suggested budget is enough for a tiled run");
        estimate.CpuBytes.Should().BeLessThanOrEqualTo(suggested);
    }
}
