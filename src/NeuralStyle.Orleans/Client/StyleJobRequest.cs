using System.Collections.Generic;
using Orleans;

namespace NeuralStyle.Orleans.Client;

/// <summary>A job to submit: the encoded content image, one or more encoded style images and the options.</summary>
[GenerateSerializer]
[Alias("NeuralStyle.Orleans.StyleJobRequest")]
public sealed record StyleJobRequest
{
    /// <summary>Gets the content image file's bytes (PNG, JPEG, WebP, GIF or BMP).</summary>
    /// <value>At most the silo's <see cref="Hosting.JobLimits.MaxUploadBytes"/>.</value>
    [Id(0)]
    public required byte[] Content { get; init; }

    /// <summary>Gets the style image files' bytes.</summary>
    /// <value>One to the silo's <see cref="Hosting.JobLimits.MaxStyles"/> images.</value>
    [Id(1)]
    public required IReadOnlyList<byte[]> Styles { get; init; }

    /// <summary>Gets the options.</summary>
    /// <value>Default: <see cref="StyleJobOptions"/>' defaults.</value>
    [Id(2)]
    public StyleJobOptions Options { get; init; } = new();
}
