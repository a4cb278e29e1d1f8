using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>The packages used as a .NET user uses them, from outside the repository (eng/consumer-test.sh).</summary>
[Collection(PackagesDefinition.Name)]
public sealed class ConsumerTests(PackageFeed feed)
{
    [Fact]
    public async Task A_fresh_console_app_adds_the_package_and_stylises_two_images()
    {
        var weights = Repository.Weights();
        feed.EnsurePacked();
        var (exitCode, output) = await Repository.ConsumerTest(weights, "--feed", feed.Folder, "library");
        TestContext.Current.SendDiagnosticMessage(output);
        exitCode.Should().Be(0, output);
        output.Should().Contain("consumer app: wrote").And.Contain("64x48");
    }

    [Fact]
    public async Task The_tool_installs_shows_help_and_stylises_the_sample_images()
    {
        var weights = Repository.Weights();
        feed.EnsurePacked();
        var (exitCode, output) = await Repository.ConsumerTest(weights, "--feed", feed.Folder, "tool");
        TestContext.Current.SendDiagnosticMessage(output);
        exitCode.Should().Be(0, output);
        output.Should().Contain("was successfully installed").And.Contain("wrote ");
    }

    [Fact]
    public async Task The_readme_use_it_from_your_app_section_works_as_written()
    {
        var weights = Repository.Weights();
        var (exitCode, output) = await Repository.ConsumerTest(weights, "readme");
        TestContext.Current.SendDiagnosticMessage(output);
        exitCode.Should().Be(0, output);
        output.Should().Contain("100/100:").And.Contain("readme: passed");
    }

    [Fact]
    public async Task A_missing_libtorch_and_a_mismatched_skiasharp_native_are_reported_with_the_package_to_add()
    {
        var weights = Repository.Weights();
        var (exitCode, output) = await Repository.ConsumerTest(weights, "natives");
        TestContext.Current.SendDiagnosticMessage(output);
        exitCode.Should().Be(0, output);
        output.Should().Contain("dotnet add package libtorch-cpu-linux-x64 --version").And.Contain("dotnet add package SkiaSharp.NativeAssets.Linux.NoDependencies --version");
    }
}
