using System;
using System.IO;
using System.Text.Json;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// The tool's runtime configuration: code without a ReadyToRun image (the library's, TorchSharp's) is compiled fully
/// optimised at its first call, so that a run of a few seconds does not spend its first steps in tier-0 code.
/// </summary>
public sealed class CliRuntimeConfigTests
{
    [Fact]
    public void The_tool_turns_quick_jit_off()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "neural-style.runtimeconfig.json");
        File.Exists(path).Should().BeTrue("the tool's runtime configuration is copied beside the tests");

        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        properties.TryGetProperty("System.Runtime.TieredCompilation.QuickJit", out var quickJit).Should().BeTrue();
        quickJit.GetBoolean().Should().BeFalse();
    }
}
