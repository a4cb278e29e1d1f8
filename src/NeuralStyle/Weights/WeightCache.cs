using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;

namespace NeuralStyle.Weights;

/// <summary>Keeps parsed weight files in memory (a few MB each), keyed by path, size and modification time.</summary>
internal static class WeightCache
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), IReadOnlyDictionary<string, WeightTensor>> Entries = new();

    public static IReadOnlyDictionary<string, WeightTensor> Get(string path)
    {
        var info = new FileInfo(Path.GetFullPath(path));
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Weight file '{path}' does not exist.", path);
        }

        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        return Entries.GetOrAdd(key, k => WeightFileReader.Read(k.Path));
    }
}
