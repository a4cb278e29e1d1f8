using System;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Optimization;
using NeuralStyle.Tests.Imaging;
using SkiaSharp;
using NeuralStyle.Tests.TestSupport;
using Xunit;
using static NeuralStyle.Tests.TestSupport.RobustnessKit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests;

/// <summary>
/// A native allocation failure becomes a <see cref="StyleTransferOutOfMemoryException"/> that says what to do, leaks
/// nothing, and leaves the process able to run. The failures are provoked with single allocations of tens of terabytes,
/// which the allocator refuses at once without touching memory (nothing is ever filled).
/// </summary>
[Collection(nameof(SoloTests))]
public sealed class OutOfMemoryTests
{
    [Fact]
    public async Task An_impossible_image_size_fails_with_a_typed_exception_and_the_process_keeps_working()
    {
        // 1 × 65535 enlarged to a shorter side of 16384 is 16384 × 1,073,725,440: the resized image alone needs 48 TiB.
        using var sliver = TestImages.Create(1, 65535, (_, y) => new SKColor((byte)y, 90, 200));
        using var style = Style();
        using var content = Content();
        var options = TinySingleThreaded with { ImageSize = 16384, Runtime = TinySingleThreaded.Runtime with { MaxImagePixels = long.MaxValue, Device = "auto" } };
        using (var warm = await StyleTransfer.RunAsync(content, style, TinySingleThreaded, cancellationToken: Ct))
        {
        }

        var before = SettledTensorCount();
        var act = () => StyleTransfer.RunAsync(sliver, style, options, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<StyleTransferOutOfMemoryException>()).Which;
        Log(thrown.Message);
        thrown.Should().BeAssignableTo<NeuralStyleException>();
        thrown.RequestedBytes.Should().BeGreaterThan(1L << 40);
        thrown.Device.Should().Be("cpu", "images are resized on the CPU whatever the run's device");
        thrown.Message.Should().Contain("16384×1073725440").And.Contain("TiB").And.Contain("StyleTransferOptions.ImageSize").And.Contain("StyleTransferOptions.Runtime.MaxImagePixels").And.NotContain("--");
        thrown.Message.Should().NotContain("frame #", "libtorch's native stack trace stays in the inner exception");
        thrown.InnerException.Should().BeOfType<System.Runtime.InteropServices.ExternalException>();
        Tensor.TotalCount.Should().Be(before, "the failed run freed what it had allocated");

        using var after = await StyleTransfer.RunAsync(content, style, TinySingleThreaded, cancellationToken: Ct);
        after.Image.Width.Should().Be(40);
    }

    [Fact]
    public async Task An_impossible_tensor_input_size_fails_the_same_way()
    {
        using var scope = NewDisposeScope();
        var sliver = rand(1, 3, 1, 65535);
        var style = rand(1, 3, 32, 32);

        var act = () => StyleTransfer.RunAsync(sliver, style, TinySingleThreaded with { ImageSize = 16384, Runtime = TinySingleThreaded.Runtime with { MaxImagePixels = long.MaxValue } }, cancellationToken: Ct);

        (await act.Should().ThrowAsync<StyleTransferOutOfMemoryException>()).Which.RequestedBytes.Should().BeGreaterThan(1L << 40);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Lbfgs)]
    public async Task An_allocation_failure_inside_the_optimiser_is_translated_there(OptimizerKind optimizer)
    {
        // L-BFGS evaluates the loss in a closure called from native code, which wraps the failure once more.
        using var content = Content();
        using var style = Style();
        using var probe = new ProbeLoss { ImpossibleAllocationFromCall = 2 };
        var residue = ResourceTests.ParameterResidue();
        var before = SettledTensorCount();

        var act = () => StyleTransfer.RunAsync(content, style, TinySingleThreaded with { Optimizer = TinySingleThreaded.Optimizer with { Kind = optimizer }, Iterations = 5, AdditionalLosses = [probe] }, cancellationToken: Ct);

        var thrown = (await act.Should().ThrowAsync<StyleTransferOutOfMemoryException>()).Which;
        thrown.Message.Should().Contain("optimising a 40×32 image").And.Contain("128 TiB");
        Tensor.TotalCount.Should().BeInRange(before, before + residue, "only the pixel parameter's accounting residue may remain");
    }
}
