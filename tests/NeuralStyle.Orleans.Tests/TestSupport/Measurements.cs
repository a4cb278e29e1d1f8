using System;
using System.IO;
using Xunit;

namespace NeuralStyle.Orleans.Tests.TestSupport;

/// <summary>Reports a measured line to the test output and to measurements.txt beside the test binaries (docs/scaling.md quotes them).</summary>
internal static class Measurements
{
    private static readonly object Gate = new();

    public static void Report(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "measurements.txt"), $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
        }
    }
}
