using System;
using System.Globalization;
using FluentAssertions;
using NeuralStyle.Cli;
using Xunit;

namespace NeuralStyle.Tests.Cli;

public sealed class TimeLeftTextTests
{
    [Theory]
    [InlineData(0.0, "0.0 s")]
    [InlineData(-1.0, "0.0 s")]
    [InlineData(4.64, "4.6 s")]
    [InlineData(9.94, "9.9 s")]
    [InlineData(9.96, "10 s")]
    [InlineData(45.4, "45 s")]
    [InlineData(59.4, "59 s")]
    [InlineData(59.6, "0:01:00")]
    [InlineData(65.2, "0:01:05")]
    [InlineData(3600 + 62, "1:01:02")]
    [InlineData(30 * 3600, "30:00:00")]
    public void The_time_left_reads_in_tenths_under_10_s_then_seconds_then_hours(double seconds, string expected)
    {
        TimeLeftText.Format(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    public void The_time_left_is_culture_invariant(string culture)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            TimeLeftText.Format(TimeSpan.FromSeconds(4.64)).Should().Be("4.6 s");
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData(4.64, true, false, ", about 4.6 s left")]
    [InlineData(65.2, true, true, ", up to about 0:01:05 left")]
    [InlineData(null, true, false, ", estimating time left")]
    [InlineData(null, true, true, ", estimating time left")]
    [InlineData(null, false, false, "")]
    [InlineData(12.0, false, false, ", about 12 s left")]
    public void A_line_says_the_time_left_an_upper_bound_when_the_run_may_end_early_or_that_it_is_estimating(double? seconds, bool optimizing, bool mayEndEarly, string expected)
    {
        TimeLeftText.Suffix(seconds is { } s ? TimeSpan.FromSeconds(s) : null, optimizing, mayEndEarly).Should().Be(expected);
    }
}
