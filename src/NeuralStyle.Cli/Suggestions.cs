using System;
using System.Collections.Generic;
using System.Linq;

namespace NeuralStyle.Cli;

/// <summary>
/// The nearest valid spelling of a mistyped option or value: by edit distance, and also with the words of a flag in any
/// order and British spellings folded (<c>--colour-preserve</c> finds <c>--preserve-colors</c>).
/// </summary>
internal static class Suggestions
{
    /// <summary>The candidate nearest to <paramref name="typed"/>, or null when none is near enough to be a typo.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        var key = Normalise(typed);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Math.Min(Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant()), Distance(key, Normalise(candidate)));
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        var allowed = Math.Max(2, key.Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Lower case, British spellings folded, the words of a flag sorted: "--colour-preserve" → "color-preserve".</summary>
    private static string Normalise(string text)
    {
        var words = text.TrimStart('-').ToLowerInvariant()
            .Replace("colour", "color", StringComparison.Ordinal)
            .Replace("normalise", "normalize", StringComparison.Ordinal)
            .Replace("initialise", "initialize", StringComparison.Ordinal)
            .Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Length > 3 && w.EndsWith('s') ? w[..^1] : w)
            .Order(StringComparer.Ordinal);
        return string.Join('-', words);
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
