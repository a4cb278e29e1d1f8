using FluentAssertions;
using TorchSharp;
using Xunit;

namespace NeuralStyle.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void TorchSharp_native_library_loads_and_computes()
    {
        using var a = torch.ones(2, 3);
        a.sum().item<float>().Should().Be(6f);
    }
}
