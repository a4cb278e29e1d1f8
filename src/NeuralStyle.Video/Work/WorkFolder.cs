using System;
using System.Globalization;
using System.IO;
using NeuralStyle.Imaging;
using SkiaSharp;

namespace NeuralStyle.Video.Work;

/// <summary>
/// The folder where a run keeps its finished frames (<c>00000001.png</c> …, each written atomically as it completes) and
/// the fingerprint of what they were made from (<c>run.txt</c>). An interrupted run with the same fingerprint continues after
/// the last frame there.
/// </summary>
internal sealed class WorkFolder
{
    private const string FingerprintFile = "run.txt";

    private WorkFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>The ffmpeg input pattern of the frames.</summary>
    public string Pattern => System.IO.Path.Combine(Path, "%08d.png");

    /// <summary>The default work folder of an output: <c>OUTPUT.frames</c> beside it.</summary>
    public static string DefaultFor(string output) => output + ".frames";

    /// <summary>Opens (or creates) the folder for a run with <paramref name="fingerprint"/>.</summary>
    /// <exception cref="IOException">The folder holds frames of a different run.</exception>
    public static WorkFolder Open(string path, string fingerprint)
    {
        var full = System.IO.Path.GetFullPath(path);
        var marker = System.IO.Path.Combine(full, FingerprintFile);
        if (Directory.Exists(full) && Directory.GetFileSystemEntries(full).Length > 0)
        {
            if (!File.Exists(marker) || File.ReadAllText(marker).Trim() != fingerprint)
            {
                throw new IOException(
                    $"The work folder '{full}' holds frames of a different run (other input, styles or options). Delete it, or choose another output or VideoStyleTransferOptions.WorkFolder.");
            }
        }
        else
        {
            Directory.CreateDirectory(full);
            var temporary = marker + ".tmp";
            File.WriteAllText(temporary, fingerprint);
            File.Move(temporary, marker, overwrite: true);
        }

        return new WorkFolder(full);
    }

    public string FramePath(int frame) => System.IO.Path.Combine(Path, frame.ToString("D8", CultureInfo.InvariantCulture) + ".png");

    /// <summary>Whether frame <paramref name="frame"/> (1-based) is finished.</summary>
    public bool Has(int frame) => File.Exists(FramePath(frame));

    /// <summary>Loads a finished frame.</summary>
    public VideoFrame Load(int frame)
    {
        using var bitmap = ImageFile.Load(FramePath(frame));
        return VideoFrame.FromBitmap(bitmap);
    }

    /// <summary>Saves a finished frame atomically.</summary>
    public void Save(int frame, SKBitmap image) => ImageFile.Save(image, FramePath(frame));

    /// <summary>Removes the folder and everything in it.</summary>
    public void Delete() => Directory.Delete(Path, recursive: true);
}
