using System;
using System.Globalization;

namespace NeuralStyle.Cli;

/// <summary>How the tool prints a time left: tenths of a second under 10 s, whole seconds under a minute, then h:mm:ss.</summary>
internal static class TimeLeftText
{
    /// <summary>
    /// The time left as a progress line ends with: <c>, about 4.6 s left</c>; <c>, up to about 4.6 s left</c> when the run
    /// may end early (L-BFGS stops when it has settled); <c>, estimating time left</c> while optimising before the first
    /// estimate; nothing in the phases before that.
    /// </summary>
    public static string Suffix(TimeSpan? left, bool optimizing, bool mayEndEarly) => left switch
    {
        { } l => $", {(mayEndEarly ? "up to about" : "about")} {Format(l)} left",
        null when optimizing => ", estimating time left",
        null => string.Empty,
    };

    /// <summary>The time left as the tool prints it, e.g. <c>4.6 s</c>, <c>45 s</c> or <c>0:01:05</c>.</summary>
    public static string Format(TimeSpan left)
    {
        var seconds = Math.Max(0, left.TotalSeconds);
        if (seconds < 9.95)
        {
            return seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        if (seconds < 59.5)
        {
            return seconds.ToString("0", CultureInfo.InvariantCulture) + " s";
        }

        var whole = TimeSpan.FromSeconds(Math.Round(seconds));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)whole.TotalHours}:{whole.Minutes:00}:{whole.Seconds:00}");
    }
}
