using System;
using System.Globalization;
using System.IO;
using NeuralStyle.HighResolution;
using NeuralStyle.Imaging;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Hosting;

namespace NeuralStyle.Orleans.Jobs;

/// <summary>The one place a request is checked against the silo's limits and turned into library options.</summary>
internal static class JobValidator
{
    /// <summary>Checks a request before any work: counts and bytes first, then each image's header and decoding, then the options.</summary>
    public static Refusal? Check(StyleJobRequest? request, NeuralStyleServiceOptions service)
    {
        var limits = service.Limits;
        if (request?.Content is null || request.Styles is null || request.Options is null)
        {
            return new Refusal(JobRejection.Invalid, "The request needs a content image, at least one style image and options.");
        }

        if (request.Styles.Count == 0)
        {
            return new Refusal(JobRejection.Invalid, "The request needs at least one style image.");
        }

        if (request.Styles.Count > limits.MaxStyles)
        {
            return new Refusal(JobRejection.TooLarge, Invariant($"At most {limits.MaxStyles} style images are allowed (got {request.Styles.Count})."));
        }

        var options = request.Options;
        if (options.Iterations is { } iterations && (iterations < 1 || iterations > limits.MaxIterations))
        {
            return new Refusal(iterations < 1 ? JobRejection.Invalid : JobRejection.TooLarge, Invariant($"Iterations must be between 1 and {limits.MaxIterations} (got {iterations})."));
        }

        if (options.ImageSize < 32 || options.ImageSize > limits.MaxImageSize)
        {
            return new Refusal(options.ImageSize < 32 ? JobRejection.Invalid : JobRejection.TooLarge, Invariant($"The image size must be between 32 and {limits.MaxImageSize} pixels (got {options.ImageSize})."));
        }

        if (options.StyleSize is { } styleSize && (styleSize < 32 || styleSize > limits.MaxImageSize))
        {
            return new Refusal(styleSize < 32 ? JobRejection.Invalid : JobRejection.TooLarge, Invariant($"The style size must be between 32 and {limits.MaxImageSize} pixels (got {styleSize})."));
        }

        var refusal = CheckImage(request.Content, "content image", limits);
        for (var i = 0; refusal is null && i < request.Styles.Count; i++)
        {
            refusal = CheckImage(request.Styles[i], Invariant($"style image {i + 1}"), limits);
        }

        if (refusal is not null)
        {
            return refusal;
        }

        try
        {
            ToStyleTransferOptions(options, service).ValidateForStyles(request.Styles.Count);
        }
        catch (ArgumentException ex)
        {
            return new Refusal(JobRejection.Invalid, ex.Message);
        }

        return null;
    }

    /// <summary>The library options a job runs with: the preset, the client's choices and the silo's settings.</summary>
    public static StyleTransferOptions ToStyleTransferOptions(StyleJobOptions options, NeuralStyleServiceOptions service)
    {
        var preset = StyleTransferPresets.Get(options.Preset);
        return preset with
        {
            ImageSize = options.ImageSize,
            StyleSize = options.StyleSize ?? options.ImageSize,
            StyleScale = null,
            Iterations = options.Iterations ?? preset.Iterations,
            StyleStrength = options.StyleStrength,
            StyleBlendWeights = options.StyleBlendWeights,
            Seed = options.Seed,
            Runtime = preset.Runtime with
            {
                Device = service.Device,
                Threads = service.ThreadsPerJob,

                // The working image is bounded as uploads are, which bounds a checkpoint too (OptimizerCheckpoint.MaxByteCount).
                MaxImagePixels = service.Limits.MaxImagePixels,
            },
            Weights = preset.Weights with { Path = service.WeightsPath },
            Optimizer = preset.Optimizer with { PreviewInterval = service.PreviewInterval, ProgressInterval = service.PreviewInterval },
            CheckpointInterval = service.CheckpointInterval,

            // A job is one whole-image optimisation, so that its checkpoint (the image at an iteration) is all it needs to go on.
            HighResolution = preset.HighResolution with { CoarseToFine = CoarseToFineMode.Off },
        };
    }

    /// <summary>Decodes an uploaded image within the limits.</summary>
    public static SkiaSharp.SKBitmap Decode(byte[] bytes, string name, JobLimits limits)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ImageFile.Load(stream, name, new ImageLoadOptions { MaxPixels = limits.MaxImagePixels });
    }

    private static Refusal? CheckImage(byte[]? bytes, string name, JobLimits limits)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return new Refusal(JobRejection.Invalid, $"The {name} is empty.");
        }

        if (bytes.Length > limits.MaxUploadBytes)
        {
            return new Refusal(JobRejection.TooLarge, Invariant($"The {name} has {bytes.Length} bytes; at most {limits.MaxUploadBytes} are allowed."));
        }

        try
        {
            using var bitmap = Decode(bytes, name, limits);
            return null;
        }
        catch (ImageLoadException ex)
        {
            var tooLarge = ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);
            return new Refusal(tooLarge ? JobRejection.TooLarge : JobRejection.Invalid, ex.Message);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
