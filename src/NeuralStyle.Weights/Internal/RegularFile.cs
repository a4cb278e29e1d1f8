using System.IO;

namespace NeuralStyle.Weights;

/// <summary>
/// Refuses what is not a regular file with content before it is opened: opening a named pipe blocks until a writer
/// appears (forever, if none does), and a device such as <c>/dev/zero</c> never ends. On Unix both report a length of 0,
/// as does an empty file, which is no weight file either.
/// </summary>
internal static class RegularFile
{
    /// <summary>Fails with a <see cref="WeightFormatException"/> naming <paramref name="path"/> when it exists but is not a regular file with content.</summary>
    /// <param name="path">The file.</param>
    /// <param name="origin">Where the path came from, for the message (for example <c>WeightsOptions.Path</c>), or null.</param>
    public static void Check(string path, string? origin = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return; // Opening it reports the missing file.
        }

        if ((info.Attributes & FileAttributes.Device) != 0 || info.Length == 0)
        {
            var from = origin is null ? string.Empty : $" (from {origin})";
            throw new WeightFormatException(
                $"Weight file '{info.FullName}'{from}: it is empty or not a regular file (a named pipe, socket or device); give the path of the weights file itself.");
        }
    }
}
