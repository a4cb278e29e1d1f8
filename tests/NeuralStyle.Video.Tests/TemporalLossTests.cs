using System;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Video.Losses;
using Xunit;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Tests;

/// <summary>The temporal loss by hand arithmetic; it counts live tensors, so it runs alone (<see cref="SoloVideoTests"/>).</summary>
[Collection(nameof(SoloVideoTests))]
public sealed class TemporalLossTests
{
    [Fact]
    public void Value_and_gradient_match_hand_arithmetic()
    {
        using var scope = NewDisposeScope();
        // One channel-shared weight map over a 2×2 image: c = [[1, 0], [1, 1]].
        var x = tensor(new float[] { 1, 2, 3, 4, 0, 0, 0, 0, -1, -1, -1, -1 }, [1, 3, 2, 2]).requires_grad_(true);
        var target = tensor(new float[] { 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0 }, [1, 3, 2, 2]);
        var c = tensor(new float[] { 1, 0, 1, 1 }, [1, 1, 2, 2]);
        using var loss = new TemporalLoss(target, c, weight: 0.5);
        using var features = new FeatureMaps(x, []);

        var value = loss.Compute(features);
        value.backward();

        // Σ c (x − w)²: channel 0: 1 + 0 + 9 + 16 = 26; channel 1: 1 + 0 + 1 + 1 = 3; channel 2: 1 + 0 + 1 + 1 = 3; total 32.
        // λ = 0.5 → 16.
        value.item<float>().Should().BeApproximately(16f, 1e-5f);
        // ∂/∂x = 2 λ c (x − w) = c (x − w).
        var expected = new float[] { 1, 0, 3, 4, -1, 0, -1, -1, -1, 0, -1, -1 };
        x.grad!.data<float>().ToArray().Should().Equal(expected);
    }

    [Fact]
    public void Is_zero_at_the_target_and_where_the_weights_are_zero()
    {
        using var scope = NewDisposeScope();
        var target = rand(1, 3, 4, 5);
        using var loss = new TemporalLoss(target, ones(1, 1, 4, 5), 10);
        using (var atTarget = new FeatureMaps(target.clone(), []))
        {
            loss.Compute(atTarget).item<float>().Should().Be(0);
        }

        using var masked = new TemporalLoss(target, zeros(1, 3, 4, 5), 10);
        using var elsewhere = new FeatureMaps(rand(1, 3, 4, 5), []);
        masked.Compute(elsewhere).item<float>().Should().Be(0);
    }

    [Fact]
    public void Refuses_mismatched_shapes_and_bad_weights()
    {
        using var scope = NewDisposeScope();
        var act = () => new TemporalLoss(rand(1, 3, 4, 5), ones(1, 1, 4, 4), 1);
        act.Should().Throw<ArgumentException>().WithMessage("*pixel weights*");
        var negative = () => new TemporalLoss(rand(1, 3, 4, 5), ones(1, 1, 4, 5), -1);
        negative.Should().Throw<ArgumentException>().WithMessage("*weight*");
        using var loss = new TemporalLoss(rand(1, 3, 4, 5), ones(1, 1, 4, 5), 1);
        using var features = new FeatureMaps(rand(1, 3, 8, 8), []);
        var wrongImage = () => loss.Compute(features);
        wrongImage.Should().Throw<ArgumentException>().WithMessage("*5×4*");
    }

    [Fact]
    public void Owns_copies_and_leaves_no_tensors_behind()
    {
        using (var warm = NewDisposeScope())
        {
            using var l = new TemporalLoss(rand(1, 3, 4, 4), ones(1, 1, 4, 4), 1);
        }

        var before = Tensor.TotalCount;
        for (var i = 0; i < 20; i++)
        {
            using var scope = NewDisposeScope();
            using var loss = new TemporalLoss(rand(1, 3, 4, 4), ones(1, 1, 4, 4), 1);
            using var features = new FeatureMaps(rand(1, 3, 4, 4), []);
            loss.Compute(features).Dispose();
        }

        Tensor.TotalCount.Should().Be(before);
    }
}
