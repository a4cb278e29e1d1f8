using System;
using System.IO;

namespace NeuralStyle.Cli;

/// <summary>
/// Checks on <c>-o</c> made before any work, so that a run never ends in an error about where to write: the format,
/// the folder (exists, is writable), a folder in the way, and the largest picture the format can hold.
/// </summary>
internal static class OutputPath
{
    /// <summary>WebP stores at most 16383 pixels on a side.</summary>
    public const int MaxWebPSide = 16383;

    /// <summary>JPEG stores at most 65535 pixels on a side.</summary>
    public const int MaxJpegSide = 65535;

    /// <summary>Refuses an output path that cannot be written, naming the path as the user gave it.</summary>
    /// <exception cref="UsageException">The path cannot take the result.</exception>
    public static void CheckWritable(string given, string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            throw new UsageException($"-o '{given}' is a folder; give a file name such as '{Path.Combine(given, "result.png")}'.");
        }

        var extension = Path.GetExtension(fullPath).ToUpperInvariant();
        if (extension is not (".PNG" or ".JPG" or ".JPEG" or ".WEBP"))
        {
            throw new UsageException($"-o '{given}' must end in .png, .jpg, .jpeg or .webp.");
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"-o '{given}': the folder '{folder}' does not exist; create it first or choose another path.");
        }

        try
        {
            // A file created and deleted at once: the only reliable test of the right to create files (ACLs, read-only mounts).
            using var probe = new FileStream(
                Path.Combine(folder, $".neural-style-{Guid.NewGuid():N}.probe"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            var reason = ex is UnauthorizedAccessException ? "permission denied" : "read-only or not a real folder";
            throw new UsageException($"-o '{given}': cannot create files in the folder '{folder}' ({reason}); choose a folder you can write to.", ex);
        }

        if (File.Exists(fullPath) && (File.GetAttributes(fullPath) & FileAttributes.ReadOnly) != 0)
        {
            throw new UsageException($"-o '{given}' exists and is read-only.");
        }
    }

    /// <summary>Refuses a result the output format cannot store.</summary>
    /// <exception cref="UsageException">The picture is too large for the format.</exception>
    public static void CheckSize(string given, int width, int height)
    {
        var extension = Path.GetExtension(given).ToUpperInvariant();
        var (format, max) = extension switch
        {
            ".WEBP" => ("WebP", MaxWebPSide),
            ".JPG" or ".JPEG" => ("JPEG", MaxJpegSide),
            _ => (null, int.MaxValue),
        };
        if (format is not null && (width > max || height > max))
        {
            throw new UsageException(FormattableString.Invariant(
                $"-o '{given}': the result will be {width}x{height} pixels, but {format} stores at most {max} on a side; use .png or a smaller --size."));
        }
    }
}
