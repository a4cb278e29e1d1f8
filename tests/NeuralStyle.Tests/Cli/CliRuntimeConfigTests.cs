using System;
using System.IO;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// The tool's runtime configuration: dynamic PGO is off, so that the runtime does not spend a short run's cores on
/// instrumenting and recompiling the managed glue around libtorch (docs/performance.md, "Tiered compilation").
/// </summary>
public sealed class CliRuntimeConfigTests
{
    [Fact]
    public void The_tool_runs_without_dynamic_pgo()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "neural-style.runtimeconfig.json");
        File.Exists(path).Should().BeTrue("the tool's runtime configuration is copied beside the tests");

        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo).Should().BeTrue();
        pgo.GetBoolean().Should().BeFalse();
    }
}
