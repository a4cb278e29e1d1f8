using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>The neural-style tool package: a .NET tool that carries its linux-x64 native runtime and nothing more.</summary>
[Collection(PackagesDefinition.Name)]
public sealed class ToolPackageTests(PackageFeed feed)
{
    private const string Payload = "tools/net10.0/any/";

    [Fact]
    public void Is_a_dotnet_tool_with_the_neural_style_command()
    {
        using var package = feed.Tool();
        package.Element("id").Should().Be("NeuralStyle.Cli");
        package.ElementNode("packageTypes")!.Elements().Select(e => e.Attribute("name")!.Value).Should().Contain("DotnetTool");
        package.Element("readme").Should().Be("README.md");
        package.Element("license").Should().Be("MIT");
        package.Element("icon").Should().Be("icon.png");
        package.Files.Should().Contain("icon.png");
        package.Element("projectUrl").Should().StartWith("https://github.com/");
        package.Element("tags").Should().Contain("dotnet-tool");
        var settings = XDocument.Parse(Encoding.UTF8.GetString(package.Read(Payload + "DotnetToolSettings.xml")).TrimStart('\uFEFF'));
        var command = settings.Descendants("Command").Single();
        command.Attribute("Name")!.Value.Should().Be("neural-style");
        command.Attribute("EntryPoint")!.Value.Should().Be("neural-style.dll");
    }

    [Fact]
    public void Carries_libtorch_cpu_and_skiasharp_for_linux_x64_only()
    {
        using var package = feed.Tool();
        var native = package.Files.Where(f => f.StartsWith(Payload + "runtimes/", StringComparison.Ordinal)).ToList();
        native.Should().OnlyContain(f => f.StartsWith(Payload + "runtimes/linux-x64/native/", StringComparison.Ordinal));
        var names = native.Select(Path.GetFileName).ToList();
        names.Should().Contain(["libtorch_cpu.so", "libtorch.so", "libc10.so", "libLibTorchSharp.so", "libSkiaSharp.so"]);
        names.Should().NotContain(["libtorch_python.so", "libtorchbind_test.so", "libjitbackend_test.so"]);
        package.Files.Should().NotContain(f => f.EndsWith(".pdb", StringComparison.Ordinal) && f.Contains("/runtimes/", StringComparison.Ordinal));
    }

    [Fact]
    public void Stays_below_the_nuget_org_size_limit_at_the_documented_size()
    {
        var length = new FileInfo(feed.ToolPath()).Length;
        length.Should().BeLessThan(250L * 1024 * 1024);
        length.Should().BeInRange(160_000_000, 210_000_000, "docs/cli.md and docs/packaging.md give the tool package as 184 MB (measured 183,542,233 bytes for 0.1.0)");
    }
}
