using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace NeuralStyle.Weights;

/// <summary>
/// Keeps parsed weight files in memory, keyed by path, size and modification time, bounded by count and bytes
/// (<see cref="MaxEntries"/>, <see cref="MaxBytes"/>; the least recently used go first), so that a file replaced or
/// touched many times does not grow the process. Concurrent callers asking for the same file share one parse; a failed
/// or cancelled parse is not kept, so the next caller reads the file again.
/// </summary>
internal static class WeightCache
{
    /// <summary>The most parsed files kept.</summary>
    public const int MaxEntries = 4;

    /// <summary>The most bytes of tensor values kept (SqueezeNet 1.1's features take 2.9 MB).</summary>
    public const long MaxBytes = 256L << 20;

    private static readonly BoundedCache<(string Path, long Length, DateTime Modified), IReadOnlyDictionary<string, WeightTensor>> Entries =
        new(MaxEntries, MaxBytes, (_, weights) => weights is WeightSet set ? set.ByteCount : 0);

    /// <summary>Gets the number of parsed files kept now.</summary>
    public static int Count => Entries.Count;

    public static IReadOnlyDictionary<string, WeightTensor> Get(string path, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(Path.GetFullPath(path));
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Weight file '{path}' does not exist.", path);
        }

        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        return Entries.GetOrAdd(key, k => WeightFileReader.Read(k.Path, limits: null, cancellationToken), cancellationToken);
    }
}
