using System;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>What the NeuralStyle package holds and declares: managed code only, three dependencies, complete metadata.</summary>
[Collection(PackagesDefinition.Name)]
public sealed partial class LibraryPackageTests(PackageFeed feed)
{
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    [Fact]
    public void Depends_only_on_TorchSharp_SkiaSharp_logging_abstractions_and_NeuralStyle_Weights_for_each_framework()
    {
        using var package = feed.Library();
        var groups = package.ElementNode("dependencies")!.Elements().ToList();
        groups.Select(g => g.Attribute("targetFramework")!.Value).Should().BeEquivalentTo("net8.0", "net10.0");
        foreach (var group in groups)
        {
            group.Elements().Select(d => d.Attribute("id")!.Value)
                .Should().BeEquivalentTo(["TorchSharp", "SkiaSharp", "Microsoft.Extensions.Logging.Abstractions", "NeuralStyle.Weights"], group.ToString());
        }

        foreach (var dependency in groups.SelectMany(g => g.Elements()))
        {
            var id = dependency.Attribute("id")!.Value;
            var expected = id == "NeuralStyle.Weights" ? package.Element("version") : CentralVersion(id);
            dependency.Attribute("version")!.Value.Should().Be(expected, $"{id} is pinned (Directory.Packages.props, or the same build for our own package)");
        }
    }

    [Fact]
    public void Holds_only_the_managed_assembly_its_docs_the_readme_and_the_icon()
    {
        using var package = feed.Library();
        var payload = package.Files.Where(f => !f.StartsWith("_rels/", StringComparison.Ordinal) && !f.StartsWith("package/", StringComparison.Ordinal)
            && f != "[Content_Types].xml" && f != "NeuralStyle.nuspec");
        payload.Should().BeEquivalentTo(
            "README.md",
            "icon.png",
            "lib/net8.0/NeuralStyle.dll",
            "lib/net8.0/NeuralStyle.xml",
            "lib/net10.0/NeuralStyle.dll",
            "lib/net10.0/NeuralStyle.xml");
        package.Files.Should().NotContain(f => f.StartsWith("runtimes/", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal));
        new FileInfo(package.Path).Length.Should().BeLessThan(2_000_000, "no libtorch or other native binaries belong in the library package");
    }

    [Fact]
    public void Declares_licence_readme_repository_and_version()
    {
        using var package = feed.Library();
        package.Element("id").Should().Be("NeuralStyle");
        package.Element("version").Should().StartWith(CentralProperty("VersionPrefix") + "-");
        package.ElementNode("license")!.Attribute("type")!.Value.Should().Be("expression");
        package.Element("license").Should().Be("MIT");
        package.Element("readme").Should().Be("README.md");
        package.Element("projectUrl").Should().StartWith("https://github.com/");
        package.Element("description").Should().NotBeNullOrWhiteSpace();
        package.Element("tags").Should().Contain("style-transfer");
        package.Element("icon").Should().Be("icon.png");
        package.Files.Should().Contain("icon.png");
        var repository = package.ElementNode("repository")!;
        repository.Attribute("type")!.Value.Should().Be("git");
        repository.Attribute("url")!.Value.Should().Be(CentralProperty("RepositoryUrl"));
        repository.Attribute("commit")?.Value.Should().MatchRegex("^[0-9a-f]{40}$");
    }

    [Fact]
    public void Readme_is_the_package_readme_and_its_links_are_absolute()
    {
        using var package = feed.Library();
        var readme = Encoding.UTF8.GetString(package.Read("README.md"));
        readme.Should().Be(File.ReadAllText(Path.Combine(Repository.Root, "docs", "package-readme.md")));
        foreach (Match link in MarkdownLink().Matches(readme))
        {
            link.Groups["target"].Value.Should().MatchRegex("^(https://|#)", $"relative links break on nuget.org: {link.Value}");
        }
    }

    [Fact]
    public void Symbols_package_has_a_portable_pdb_per_framework_with_source_link_to_github()
    {
        using var symbols = feed.LibrarySymbols();
        symbols.Files.Where(f => f.EndsWith(".pdb", StringComparison.Ordinal))
            .Should().BeEquivalentTo("lib/net8.0/NeuralStyle.pdb", "lib/net10.0/NeuralStyle.pdb");
        foreach (var pdb in new[] { "lib/net8.0/NeuralStyle.pdb", "lib/net10.0/NeuralStyle.pdb" })
        {
            using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(symbols.Read(pdb)));
            var reader = provider.GetMetadataReader();
            var sourceLink = reader.CustomDebugInformation
                .Select(reader.GetCustomDebugInformation)
                .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
                .Select(c => Encoding.UTF8.GetString(reader.GetBlobBytes(c.Value)))
                .SingleOrDefault();
            sourceLink.Should().NotBeNull($"{pdb} has no SourceLink");
            sourceLink.Should().Contain("https://raw.githubusercontent.com/" + CentralProperty("RepositoryUrl")["https://github.com/".Length..]);
        }
    }

    /// <summary>A property of Directory.Build.props (the one place the version and repository live).</summary>
    internal static string CentralProperty(string name) =>
        Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props")), $"<{name}>([^<]+)</{name}>").Groups[1].Value;

    /// <summary>A package version of Directory.Packages.props.</summary>
    internal static string CentralVersion(string id) =>
        Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "Directory.Packages.props")), $"<PackageVersion Include=\"{Regex.Escape(id)}\" Version=\"([^\"]+)\"").Groups[1].Value;

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)[^)]*\)")]
    private static partial Regex MarkdownLink();
}
