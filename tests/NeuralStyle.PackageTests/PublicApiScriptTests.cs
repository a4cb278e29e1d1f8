using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>
/// eng/update-public-api.sh, run on a copy of the library (the repository is never touched): a public member added is
/// declared, one only a target framework has goes to that framework's file, and removing them restores the file.
/// </summary>
public sealed class PublicApiScriptTests : IDisposable
{
    private readonly string _copy = Directory.CreateTempSubdirectory("neuralstyle-publicapi-").FullName;

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public async Task Adding_and_removing_public_members_regenerates_the_unshipped_file()
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "nuget.config", ".editorconfig", "eng/PublicApi.props", "eng/update-public-api.sh" })
        {
            Copy(Path.Combine(Repository.Root, file), Path.Combine(_copy, file));
        }

        // The library and the project it references.
        CopyTree(Path.Combine(Repository.Root, "src", "NeuralStyle"), Path.Combine(_copy, "src", "NeuralStyle"));
        CopyTree(Path.Combine(Repository.Root, "src", "NeuralStyle.Weights"), Path.Combine(_copy, "src", "NeuralStyle.Weights"));
        var library = Path.Combine(_copy, "src", "NeuralStyle");
        var unshipped = Path.Combine(library, "PublicAPI.Unshipped.txt");
        var original = await File.ReadAllTextAsync(unshipped, TestContext.Current.CancellationToken);

        var dummy = Path.Combine(library, "PublicApiScriptProbe.cs");
        await File.WriteAllTextAsync(dummy, """
            namespace NeuralStyle;

            /// <summary>A member added to check eng/update-public-api.sh.</summary>
            public static class PublicApiScriptProbe
            {
                /// <summary>On every target framework.</summary>
                /// <param name="text">Any text.</param>
                /// <returns>Its length.</returns>
                public static int Everywhere(string? text) => text?.Length ?? 0;
            #if NET10_0_OR_GREATER
                /// <summary>On net10.0 only.</summary>
                /// <returns>10.</returns>
                public static int OnlyOnNet10() => 10;
            #endif
            }
            """, TestContext.Current.CancellationToken);

        var (code, output) = await UpdatePublicApi();
        code.Should().Be(0, output);
        var added = File.ReadAllLines(unshipped);
        added.Should().Contain(["NeuralStyle.PublicApiScriptProbe", "static NeuralStyle.PublicApiScriptProbe.Everywhere(string? text) -> int"]);
        added.Should().NotContain(l => l.Contains("OnlyOnNet10", StringComparison.Ordinal));
        added[0].Should().Be("#nullable enable");
        added.Skip(1).Should().BeInAscendingOrder(StringComparer.Ordinal);
        File.ReadAllLines(Path.Combine(library, "PublicAPI", "net10.0", "PublicAPI.Unshipped.txt"))
            .Should().Equal("#nullable enable", "static NeuralStyle.PublicApiScriptProbe.OnlyOnNet10() -> int");
        Directory.Exists(Path.Combine(library, "PublicAPI", "net8.0")).Should().BeFalse();

        File.Delete(dummy);
        (code, output) = await UpdatePublicApi();
        code.Should().Be(0, output);
        (await File.ReadAllTextAsync(unshipped, TestContext.Current.CancellationToken)).Should().Be(original);
        Directory.Exists(Path.Combine(library, "PublicAPI")).Should().BeFalse();
    }

    private async Task<(int Code, string Output)> UpdatePublicApi()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(_copy, "eng", "update-public-api.sh")])
        {
            WorkingDirectory = _copy,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is not ("bin" or "obj"))
            {
                Copy(file, Path.Combine(to, relative));
            }
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }
}
