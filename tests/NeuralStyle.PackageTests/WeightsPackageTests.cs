using System;
using System.IO;
using System.Linq;
using System.Text;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>What the NeuralStyle.Weights package holds and declares: one managed assembly, no TorchSharp or SkiaSharp.</summary>
[Collection(PackagesDefinition.Name)]
public sealed class WeightsPackageTests(PackageFeed feed)
{
    [Fact]
    public void Depends_only_on_logging_abstractions_for_each_framework()
    {
        using var package = feed.Weights();
        var groups = package.ElementNode("dependencies")!.Elements().ToList();
        groups.Select(g => g.Attribute("targetFramework")!.Value).Should().BeEquivalentTo("net8.0", "net10.0");
        foreach (var group in groups)
        {
            group.Elements().Select(d => d.Attribute("id")!.Value).Should().BeEquivalentTo(["Microsoft.Extensions.Logging.Abstractions"], group.ToString());
        }
    }

    [Fact]
    public void Holds_only_the_managed_assembly_its_docs_the_readme_and_the_icon()
    {
        using var package = feed.Weights();
        var payload = package.Files.Where(f => !f.StartsWith("_rels/", StringComparison.Ordinal) && !f.StartsWith("package/", StringComparison.Ordinal)
            && f != "[Content_Types].xml" && f != "NeuralStyle.Weights.nuspec");
        payload.Should().BeEquivalentTo(
            "README.md",
            "icon.png",
            "lib/net8.0/NeuralStyle.Weights.dll",
            "lib/net8.0/NeuralStyle.Weights.xml",
            "lib/net10.0/NeuralStyle.Weights.dll",
            "lib/net10.0/NeuralStyle.Weights.xml");
    }

    [Fact]
    public void Declares_licence_readme_repository_and_the_librarys_version()
    {
        using var package = feed.Weights();
        using var library = feed.Library();
        package.Element("id").Should().Be("NeuralStyle.Weights");
        package.Element("version").Should().Be(library.Element("version"));
        package.Element("license").Should().Be("MIT");
        package.Element("readme").Should().Be("README.md");
        package.Element("description").Should().NotBeNullOrWhiteSpace();
        package.ElementNode("repository")!.Attribute("url")!.Value.Should().Be(LibraryPackageTests.CentralProperty("RepositoryUrl"));
        Encoding.UTF8.GetString(package.Read("README.md"))
            .Should().Be(File.ReadAllText(Path.Combine(Repository.Root, "docs", "weights-package-readme.md")));
    }
}
