using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics.X86;
using FluentAssertions;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using NeuralStyle.Tests.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.Losses;

/// <summary>
/// The vector kernel for <c>F Fᵀ</c> equals the product computed in double precision, for each vector width the CPU has,
/// with one libtorch thread and with two (its work split over libtorch's OpenMP team, bit for bit the same), is exactly symmetric, and leaves to the BLAS product
/// what it does not handle, including runs with more libtorch threads.
/// </summary>
public sealed class SymmetricGramTests
{
    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        var widths = new List<int>();
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            widths.Add(256);
        }

        if (Avx512F.IsSupported)
        {
            widths.Add(512);
        }

        foreach (var lanes in widths)
        {
            data.Add(lanes, 64, 2397); // SqueezeNet's first layers' width; an odd count of positions
            data.Add(lanes, 128, 1);
            data.Add(lanes, 512, 165); // the deepest layers at 256×192
            data.Add(lanes, 256, 20_000); // several blocks of positions
        }

        if (widths.Count == 0)
        {
            data.Add(0, 64, 100); // no usable width: the kernel declines
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_kernel_equals_the_exact_product_with_one_or_two_libtorch_threads(int bits, int channels, int positions)
    {
        var lanes = bits switch { 256 => FmaLanes.Bits256, 512 => FmaLanes.Bits512, _ => FmaLanes.Widest };
        var (one, two, exact) = LibtorchThreads.Run(2, () =>
        {
            using var scope = NewDisposeScope();
            var flat = ChannelsLastFlat(channels, positions, seed: channels + positions);
            var expected = flat.squeeze(0).to(float64).matmul(flat.squeeze(0).to(float64).t()).unsqueeze(0);
            set_num_threads(1);
            var single = SymmetricGram.TryCompute(flat, lanes);
            set_num_threads(2);
            var pair = SymmetricGram.TryCompute(flat, lanes);
            using var three = SymmetricGram.TryCompute(flat, lanes, parts: 3);
            if (three is not null && pair is not null)
            {
                Same(pair, three).Should().BeTrue("three bands of tile rows sum each element as one does");
            }

            set_num_threads(FmaKernels.MaxLibtorchThreads + 1);
            SymmetricGram.TryCompute(flat, lanes).Should().BeNull("libtorch's product uses the threads");
            return (single?.DetachFromDisposeScope(), pair?.DetachFromDisposeScope(), expected.DetachFromDisposeScope());
        });

        using (exact)
        {
            if (!FmaKernels.IsSupported)
            {
                one.Should().BeNull();
                two.Should().BeNull();
                return;
            }

            using (one)
            using (two)
            {
                one!.shape.Should().Equal(1, channels, channels);
                Same(one, two!).Should().BeTrue("split over libtorch's two threads or not, each element is summed by one thread in the same order");
                Same(one, one.transpose(1, 2)).Should().BeTrue("the tiles below the diagonal are mirrored");
                var error = (one.to(float64) - exact).abs().max().item<double>() / exact.abs().max().item<double>();
                error.Should().BeLessThan(1e-6);
            }
        }
    }

    [Fact]
    public void What_the_kernel_does_not_handle_is_left_to_the_BLAS_product() => LibtorchThreads.Run(2, () =>
    {
        using var scope = NewDisposeScope();
        var channelsLast = ChannelsLastFlat(64, 300, seed: 3);
        var planar = rand(1, 64, 300, generator: new Generator(3)); // channels apart in memory
        var batch = cat([channelsLast, channelsLast], 0);
        var doubles = channelsLast.to(float64);
        var oddChannels = ChannelsLastFlat(24, 300, seed: 4);
        var recorded = ChannelsLastFlat(64, 300, seed: 5).requires_grad_(true);

        SymmetricGram.TryCompute(planar).Should().BeNull();
        SymmetricGram.TryCompute(batch).Should().BeNull();
        SymmetricGram.TryCompute(doubles).Should().BeNull();
        SymmetricGram.TryCompute(oddChannels).Should().BeNull();
        SymmetricGram.TryCompute(recorded).Should().BeNull("autograd records the product");
        using (no_grad())
        {
            (SymmetricGram.TryCompute(recorded) is null).Should().Be(!FmaKernels.IsSupported);
        }

        // Declined or not, the Gram matrices agree.
        foreach (var flat in new[] { channelsLast, planar, oddChannels })
        {
            var exact = flat.squeeze(0).to(float64);
            var error = (GramMatrix.Product(flat, flat).squeeze(0).to(float64) - exact.matmul(exact.t())).abs().max().item<double>();
            error.Should().BeLessThan(1e-3);
        }

        return 0;
    });

    [Fact]
    public void The_Gram_product_of_a_feature_map_with_itself_uses_the_kernel_and_its_gradient_path_does_not() => LibtorchThreads.Run(2, () =>
    {
        using var scope = NewDisposeScope();
        var flat = ChannelsLastFlat(128, 500, seed: 9);

        var gram = GramMatrix.Product(flat, flat);

        if (FmaKernels.IsSupported)
        {
            Same(gram, SymmetricGram.TryCompute(flat)!).Should().BeTrue();
        }

        var features = flat.reshape(1, 128, 20, 25).detach().requires_grad_(true);
        GramMatrix.Compute(features).requires_grad.Should().BeTrue("under autograd the product is recorded");
        return 0;
    });

    [Fact]
    public void A_CPU_with_AVX2_and_FMA_has_a_usable_width()
        => FmaKernels.IsSupported.Should().Be((Avx2.IsSupported && Fma.IsSupported) || Avx512F.IsSupported);

    private static bool Same(Tensor a, Tensor b) => a.shape.AsSpan().SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    // [1,C,P] view of a feature map laid out channels-last: position after position, the channels of each side by side.
    private static Tensor ChannelsLastFlat(int channels, int positions, int seed)
        => rand(1, positions, channels, generator: new Generator((ulong)seed)).transpose(1, 2);
}
