using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace NeuralStyle.Weights;

/// <summary>
/// Keeps parsed weight files in memory (a few MB each), keyed by path, size and modification time. Concurrent callers
/// asking for the same file share one parse; a failed parse is not kept, so a fixed file is read again.
/// </summary>
internal static class WeightCache
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), Lazy<IReadOnlyDictionary<string, WeightTensor>>> Entries = new();

    public static IReadOnlyDictionary<string, WeightTensor> Get(string path)
    {
        var info = new FileInfo(Path.GetFullPath(path));
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Weight file '{path}' does not exist.", path);
        }

        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        var entry = Entries.GetOrAdd(key, k => new Lazy<IReadOnlyDictionary<string, WeightTensor>>(() => WeightFileReader.Read(k.Path), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return entry.Value;
        }
        catch
        {
            // Lazy caches exceptions; drop the entry so that the next call reads the file again.
            Entries.TryRemove(new KeyValuePair<(string, long, DateTime), Lazy<IReadOnlyDictionary<string, WeightTensor>>>(key, entry));
            throw;
        }
    }
}
