using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

[assembly: CaptureConsole]

namespace NeuralStyle.PackageTests;

/// <summary>Packs NeuralStyle.Weights, NeuralStyle and NeuralStyle.Cli (pointer and linux-x64 packages) once (eng/consumer-test.sh pack) into a temporary feed shared by the tests.</summary>
public sealed class PackageFeed : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("neuralstyle-feed-").FullName;

    public string PackOutput { get; private set; } = string.Empty;

    public int PackExitCode { get; private set; }

    internal Package Library() => Open("NeuralStyle");

    internal Package LibrarySymbols() => new(Single("NeuralStyle", ".snupkg"));

    internal Package Weights() => Open("NeuralStyle.Weights");

    /// <summary>The tool's pointer package: it names the package of each RID and holds no tool files.</summary>
    internal Package Tool() => Open("NeuralStyle.Cli");

    internal string ToolPath() => Single("NeuralStyle.Cli", ".nupkg");

    /// <summary>The tool's linux-x64 package: the tool itself with that platform's natives.</summary>
    internal Package ToolForLinuxX64() => Open("NeuralStyle.Cli.linux-x64");

    internal string ToolForLinuxX64Path() => Single("NeuralStyle.Cli.linux-x64", ".nupkg");

    public async ValueTask InitializeAsync()
    {
        (PackExitCode, PackOutput) = await Repository.ConsumerTest(string.Empty, "--feed", Folder, "pack");
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Fails the calling test with the pack log when packing failed.</summary>
    public void EnsurePacked()
    {
        if (PackExitCode != 0)
        {
            throw new InvalidOperationException($"eng/consumer-test.sh pack failed ({PackExitCode}):\n{PackOutput}");
        }
    }

    private Package Open(string id) => new(Single(id, ".nupkg"));

    private string Single(string id, string extension)
    {
        EnsurePacked();
        // NeuralStyle.0.1.0-x.nupkg, not NeuralStyle.Cli.0.1.0-x.nupkg: the id is followed by the version's digit.
        return Directory.EnumerateFiles(Folder, id + ".*" + extension)
            .Single(f => char.IsAsciiDigit(Path.GetFileName(f)[id.Length + 1]));
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesDefinition : ICollectionFixture<PackageFeed>
{
    public const string Name = "packages";
}
