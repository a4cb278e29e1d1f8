using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>
/// The neural-style tool: a RID-specific .NET tool. NeuralStyle.Cli is a small pointer package that names the package of
/// each platform; NeuralStyle.Cli.linux-x64 is the tool with its linux-x64 native runtime and nothing more.
/// </summary>
[Collection(PackagesDefinition.Name)]
public sealed class ToolPackageTests(PackageFeed feed)
{
    private const string Payload = "tools/net10.0/linux-x64/";
    private const string PointerSettings = "tools/any/any/DotnetToolSettings.xml";

    [Fact]
    public void The_pointer_package_is_a_dotnet_tool_that_names_the_linux_x64_package_and_holds_no_tool_files()
    {
        using var package = feed.Tool();
        package.Element("id").Should().Be("NeuralStyle.Cli");
        package.ElementNode("packageTypes")!.Elements().Select(e => e.Attribute("name")!.Value).Should().Contain("DotnetTool");
        ShowsTheProjectOnNuGet(package);
        var settings = Settings(package, PointerSettings);
        settings.Descendants("Command").Single().Attribute("Name")!.Value.Should().Be("neural-style");
        settings.Descendants("RuntimeIdentifierPackage")
            .Select(p => (p.Attribute("RuntimeIdentifier")!.Value, p.Attribute("Id")!.Value))
            .Should().Equal(("linux-x64", "NeuralStyle.Cli.linux-x64"));
        package.Files.Should().NotContain(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal));
        new FileInfo(feed.ToolPath()).Length.Should().BeLessThan(200_000, "the pointer package holds the settings, readme and icon only");
    }

    [Fact]
    public void The_linux_x64_package_is_the_tool_with_its_entry_point()
    {
        using var package = feed.ToolForLinuxX64();
        package.Element("id").Should().Be("NeuralStyle.Cli.linux-x64");
        package.ElementNode("packageTypes")!.Elements().Select(e => e.Attribute("name")!.Value).Should().Equal("DotnetToolRidPackage");
        ShowsTheProjectOnNuGet(package);
        var command = Settings(package, Payload + "DotnetToolSettings.xml").Descendants("Command").Single();
        command.Attribute("Name")!.Value.Should().Be("neural-style");
        command.Attribute("EntryPoint")!.Value.Should().Be("neural-style");
        command.Attribute("Runner")!.Value.Should().Be("executable");
        package.Files.Should().Contain([Payload + "neural-style", Payload + "neural-style.dll"]);
    }

    [Fact]
    public void The_linux_x64_package_carries_libtorch_cpu_and_skiasharp_for_linux_x64_only()
    {
        using var package = feed.ToolForLinuxX64();
        package.Files.Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).Should().OnlyContain(f => f.StartsWith(Payload, StringComparison.Ordinal));
        package.Files.Should().NotContain(f => f.Contains("/runtimes/", StringComparison.Ordinal), "NeuralStyle.Cli.linux-x64 holds that platform's natives beside the tool, none for another");
        var names = package.Files.Select(Path.GetFileName).ToList();
        names.Should().Contain(["libtorch_cpu.so", "libtorch.so", "libc10.so", "libLibTorchSharp.so", "libSkiaSharp.so", "libOpenCvSharpExtern.so"]);
        names.Should().NotContain(["libtorch_python.so", "libtorchbind_test.so", "libjitbackend_test.so"]);
        names.Should().NotContain(n => n!.EndsWith(".dylib", StringComparison.Ordinal) || n.EndsWith(".pdb", StringComparison.Ordinal) && n.StartsWith("lib", StringComparison.Ordinal));
    }

    [Fact]
    public void The_linux_x64_package_stays_below_the_nuget_org_size_limit_at_the_documented_size()
    {
        var length = new FileInfo(feed.ToolForLinuxX64Path()).Length;
        length.Should().BeLessThan(250L * 1024 * 1024);
        length.Should().BeInRange(160_000_000, 210_000_000, "docs/cli.md and docs/packaging.md give NeuralStyle.Cli.linux-x64 as 184 MB (measured 183,597,185 bytes for 0.1.0)");
    }

    [Fact]
    public async Task On_a_platform_without_a_package_the_install_is_refused_before_any_download()
    {
        // This machine is linux-x64: the check installs the pointer package as packed, except that it names linux-arm64 only.
        feed.EnsurePacked();
        var folder = Directory.CreateTempSubdirectory("neuralstyle-foreign-").FullName;
        try
        {
            var pointer = Path.Combine(folder, Path.GetFileName(feed.ToolPath()));
            File.Copy(feed.ToolPath(), pointer);
            using (var zip = ZipFile.Open(pointer, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry(PointerSettings)!;
                string text;
                using (var reader = new StreamReader(entry.Open()))
                {
                    text = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
                }

                entry.Delete();
                var foreign = text.Replace("\"linux-x64\" Id=\"NeuralStyle.Cli.linux-x64\"", "\"linux-arm64\" Id=\"NeuralStyle.Cli.linux-arm64\"", StringComparison.Ordinal);
                foreign.Should().NotBe(text);
                await using var writer = new StreamWriter(zip.CreateEntry(PointerSettings).Open(), new UTF8Encoding(false));
                await writer.WriteAsync(foreign);
            }

            var version = Path.GetFileNameWithoutExtension(pointer)["NeuralStyle.Cli.".Length..];
            var (exitCode, output) = await Dotnet(folder, "tool", "install", "NeuralStyle.Cli", "--version", version, "--tool-path", Path.Combine(folder, "tools"), "--source", folder);
            exitCode.Should().NotBe(0, output);
            output.Should().Contain("The tool does not support the current architecture or operating system (linux-x64). Supported runtimes: linux-arm64");
            File.Exists(Path.Combine(folder, "tools", "neural-style")).Should().BeFalse();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void ShowsTheProjectOnNuGet(Package package)
    {
        package.Element("readme").Should().Be("README.md");
        package.Element("license").Should().Be("MIT");
        package.Element("icon").Should().Be("icon.png");
        package.Files.Should().Contain("icon.png");
        package.Element("projectUrl").Should().StartWith("https://github.com/");
        package.Element("tags").Should().Contain("dotnet-tool");
    }

    private static XDocument Settings(Package package, string entry)
        => XDocument.Parse(Encoding.UTF8.GetString(package.Read(entry)).TrimStart('\uFEFF'));

    private static async Task<(int ExitCode, string Output)> Dotnet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The altered pointer package must not reach the user's NuGet cache, where a later install of that version would find it.
        start.Environment["NUGET_PACKAGES"] = Path.Combine(workingDirectory, "packages");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
