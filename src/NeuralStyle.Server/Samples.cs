using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace NeuralStyle.Server;

/// <summary>The sample images built into the app (samples/images): looked up by exact name from a fixed list, never as a path.</summary>
internal static class Samples
{
    private const string Prefix = "samples/";
    private static readonly Assembly Assembly = typeof(Samples).Assembly;

    public static IReadOnlyList<string> Names { get; } =
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal)];

    public static byte[]? Read(string name)
    {
        if (!Names.Contains(name, StringComparer.Ordinal))
        {
            return null;
        }

        using var stream = Assembly.GetManifestResourceStream(Prefix + name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static string Page()
    {
        using var stream = Assembly.GetManifestResourceStream("wwwroot/index.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
