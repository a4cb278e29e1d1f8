using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace NeuralStyle.Internal;

/// <summary>Recognises allocation failures from libtorch and .NET and turns them into <see cref="StyleTransferOutOfMemoryException"/>.</summary>
internal static partial class OutOfMemory
{
    // libtorch's CPU allocator: "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes" (Linux, macOS)
    // or "... not enough memory: you tried to allocate N bytes" (Windows); CUDA: "CUDA out of memory. Tried to allocate …".
    private static readonly string[] Markers = ["can't allocate memory", "not enough memory", "out of memory"];

    /// <summary>Checks whether <paramref name="exception"/>, or an exception it wraps, is an allocation failure.</summary>
    public static bool Is(Exception exception) => Find(exception) is not null;

    /// <summary>Wraps an allocation failure in a <see cref="StyleTransferOutOfMemoryException"/> whose message says what to do.</summary>
    /// <param name="exception">An exception for which <see cref="Is"/> is true.</param>
    /// <param name="what">What was being done, for the message: for example "a 512×384 style transfer".</param>
    /// <param name="device">The run's device, used when the failure does not say which allocator failed.</param>
    public static StyleTransferOutOfMemoryException Wrap(Exception exception, string what, string? device)
    {
        var cause = Find(exception) ?? exception;
        var native = FirstLine(cause.Message);
        long? bytes = null;
        var match = RequestedBytesPattern().Match(native);
        if (match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            bytes = parsed;
        }

        // The allocator that failed tells the device better than the run's setting: images are resized on the CPU.
        device = native.Contains("CUDA", StringComparison.Ordinal) ? "cuda"
            : native.Contains("CPUAllocator", StringComparison.Ordinal) || cause is OutOfMemoryException ? "cpu"
            : device;
        var failure = bytes is { } n
            ? $"an allocation of {FormatBytes(n)} failed"
            : cause is OutOfMemoryException ? ".NET ran out of memory" : $"libtorch reported: {native}";
        var where = device is null ? string.Empty : $" on {device}";
        return new StyleTransferOutOfMemoryException(
            $"Not enough memory{where} for {what}: {failure}. Use a smaller StyleTransferOptions.ImageSize or StyleTransferOptions.StyleSize, "
            + "or lower StyleTransferOptions.Runtime.MaxImagePixels so that sizes this machine cannot hold are refused before any work.",
            exception)
        {
            RequestedBytes = bytes,
            Device = device,
        };
    }

    private static Exception? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 8; exception = exception.InnerException, depth++)
        {
            if (exception is StyleTransferOutOfMemoryException or InsufficientMemoryException)
            {
                return null; // already translated, or the plan's own refusal of a memory budget
            }

            if (exception is OutOfMemoryException)
            {
                return exception;
            }

            if (exception is ExternalException && ContainsMarker(exception.Message))
            {
                return exception;
            }
        }

        return null;
    }

    private static bool ContainsMarker(string message)
    {
        var first = FirstLine(message);
        foreach (var marker in Markers)
        {
            if (first.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // libtorch appends a native stack trace, one frame per line.
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }

    private static string FormatBytes(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    [GeneratedRegex(@"allocate (\d+) bytes", RegexOptions.CultureInvariant)]
    private static partial Regex RequestedBytesPattern();
}
