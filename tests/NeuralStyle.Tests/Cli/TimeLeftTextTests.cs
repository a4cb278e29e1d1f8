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
}
