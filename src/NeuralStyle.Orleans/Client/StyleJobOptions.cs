using System.Collections.Generic;
using Orleans;

namespace NeuralStyle.Orleans.Client;

/// <summary>What a client may choose for a job; everything else comes from the preset and the silo's settings.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.StyleJobOptions")]
public sealed record StyleJobOptions
{
    /// <summary>Gets the preset: <c>composition-vii</c>, <c>the-scream</c> or <c>starry-night</c>.</summary>
    /// <value>Default <c>composition-vii</c>.</value>
    [Id(0)]
    public string Preset { get; init; } = "composition-vii";

    /// <summary>Gets the shorter side of the result, in pixels.</summary>
    /// <value>Default 256; at most the silo's <see cref="Hosting.JobLimits.MaxImageSize"/>.</value>
    [Id(1)]
    public int ImageSize { get; init; } = 256;

    /// <summary>Gets the shorter side the style images are resized to.</summary>
    /// <value>Default <see langword="null"/>: <see cref="ImageSize"/>.</value>
    [Id(2)]
    public int? StyleSize { get; init; }

    /// <summary>Gets the number of iterations.</summary>
    /// <value>Default <see langword="null"/>: the preset's; at most the silo's <see cref="Hosting.JobLimits.MaxIterations"/>.</value>
    [Id(3)]
    public int? Iterations { get; init; }

    /// <summary>Gets how strongly the style is painted (<see cref="StyleTransferOptions.StyleStrength"/>).</summary>
    /// <value>Default 1.</value>
    [Id(4)]
    public double StyleStrength { get; init; } = 1;

    /// <summary>Gets the blend weights of several style images (<see cref="StyleTransferOptions.StyleBlendWeights"/>).</summary>
    /// <value>Default <see langword="null"/> (equal weights).</value>
    [Id(5)]
    public IReadOnlyList<double>? StyleBlendWeights { get; init; }

    /// <summary>Gets the seed (<see cref="StyleTransferOptions.Seed"/>).</summary>
    /// <value>Default 0.</value>
    [Id(6)]
    public int Seed { get; init; }
}
