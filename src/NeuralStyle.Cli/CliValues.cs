using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Linq;

namespace NeuralStyle.Cli;

/// <summary>
/// Options whose values the tool parses itself: numbers always culture-invariantly (<c>0.5</c> means one half under
/// every locale), names case-insensitively, and every bad value refused with a message naming the flag, what it
/// expects and, for a misspelt name, the nearest valid one.
/// </summary>
internal static class CliValues
{
    /// <summary>An optional whole-number option.</summary>
    public static Option<int?> Int(string name, string description, params string[] aliases)
        => new(name, aliases) { Description = description, CustomParser = r => ParseInt(r, name) };

    /// <summary>A whole-number option with a default.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, params string[] aliases)
        => new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseInt(r, name) ?? defaultValue,
        };

    /// <summary>A large whole-number option with a default.</summary>
    public static Option<long> Long(string name, string description, long defaultValue)
        => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Single(r) is { } text ? ParseWhole(r, name, text, long.MinValue, long.MaxValue) ?? defaultValue : defaultValue,
        };

    /// <summary>An optional number option (decimal point, exponent allowed: 0.5, 1e-3).</summary>
    public static Option<double?> Double(string name, string description, params string[] aliases)
        => new(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                if (Single(r) is not { } text)
                {
                    return null;
                }

                if (TryParseDouble(text, out var value))
                {
                    return value;
                }

                r.AddError($"{name} expects a number such as 0.5 or 1e-3 (with a decimal point, whatever the locale); got '{text}'.");
                return null;
            },
        };

    /// <summary>An optional option naming one of an enumeration's members (case-insensitive, in lower case in help and messages).</summary>
    public static Option<T?> Choice<T>(string name, string description)
        where T : struct, Enum
        => new(name)
        {
            Description = description,
            CustomParser = r => Single(r) is { } text && ParseName(r, name, text, Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray()) is { } found
                ? Enum.Parse<T>(found, ignoreCase: true)
                : null,
        };

    /// <summary>A string option that must be one of <paramref name="names"/>.</summary>
    public static Option<string> Name(string name, string description, IReadOnlyList<string> names, string defaultValue, params string[] aliases)
        => new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Single(r) is { } text ? ParseName(r, name, text, names) ?? defaultValue : defaultValue,
        };

    /// <summary>Parses a number culture-invariantly, as every number on the command line is parsed.</summary>
    public static bool TryParseDouble(string text, out double value)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static int? ParseInt(ArgumentResult r, string name)
        => Single(r) is { } text ? (int?)ParseWhole(r, name, text, int.MinValue, int.MaxValue) : null;

    private static long? ParseWhole(ArgumentResult r, string name, string text, long min, long max)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        r.AddError(long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? FormattableString.Invariant($"{name} expects a whole number up to {max}; got '{text}'.")
            : $"{name} expects a whole number such as 10; got '{text}'.");
        return null;
    }

    private static string? ParseName(ArgumentResult r, string name, string text, IReadOnlyList<string> names)
    {
        var found = names.FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            var hint = Suggestions.Nearest(text, names) is { } near ? $" Did you mean '{near}'?" : string.Empty;
            r.AddError($"{name} expects one of {string.Join(", ", names)}; got '{text}'.{hint}");
        }

        return found;
    }

    private static string? Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
}
