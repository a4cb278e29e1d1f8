using FluentAssertions;
using NeuralStyle.Losses;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Losses;

/// <summary>
/// The Gram product split over libtorch's threads (one chunk of positions per thread, the remainder added) equals the
/// plain product, computed here in double precision, for both memory layouts and with and without a remainder.
/// </summary>
public sealed class GramProductTests
{
    [Theory]
    [InlineData(48, 50, false)] // 2400 positions: two equal chunks
    [InlineData(47, 51, false)] // 2397 positions: a remainder of one
    [InlineData(47, 51, true)]
    [InlineData(30, 30, true)] // 900 positions: too few to split, the plain product
    public void The_split_product_equals_the_plain_one(int height, int width, bool channelsLast)
    {
        var (gram, reference) = LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var generator = new Generator(11);
            var features = rand(1, 64, height, width, generator: generator);
            if (channelsLast)
            {
                features = features.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // NHWC memory, NCHW shape
            }

            var flat = features.reshape(1, 64, height * width);
            var split = GramMatrix.Product(flat, flat);
            var exact = flat.to(float64).squeeze(0);
            var expected = exact.matmul(exact.t()).unsqueeze(0);
            return (split.to(float64).DetachFromDisposeScope(), expected.DetachFromDisposeScope());
        });

        using (gram)
        using (reference)
        {
            gram.shape.Should().Equal(1, 64, 64);
            var error = (gram - reference).abs().max().item<double>() / reference.abs().max().item<double>();
            error.Should().BeLessThan(1e-6);
        }
    }

    [Fact]
    public void Compute_uses_the_split_product_and_normalises()
    {
        var (gram, reference) = LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var features = rand(1, 16, 60, 70, generator: new Generator(5));
            var exact = features.to(float64).reshape(16, 4200);
            return (GramMatrix.Compute(features).to(float64).DetachFromDisposeScope(), exact.matmul(exact.t()).div(16.0 * 4200).unsqueeze(0).DetachFromDisposeScope());
        });

        using (gram)
        using (reference)
        {
            ((gram - reference).abs().max().item<double>() / reference.abs().max().item<double>()).Should().BeLessThan(1e-6);
        }
    }
}
