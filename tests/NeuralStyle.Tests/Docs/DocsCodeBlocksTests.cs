using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace NeuralStyle.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block in README.md and docs/**/*.md compiles against NeuralStyle, TorchSharp, SkiaSharp and
/// the BCL, as a user would paste it into a new console project (implicit usings, nullable enabled): as a program when
/// it has top-level statements, as a class library otherwise. A block that does not compile fails with its file and line.
/// </summary>
public sealed class DocsCodeBlocksTests
{
    /// <summary>What <c>ImplicitUsings</c> gives a new console project (Microsoft.NET.Sdk).</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in CodeBlock.FindAll(RepositoryRoot()))
        {
            data.Add(block.File, block.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Code_block_compiles(string file, int line)
    {
        var block = CodeBlock.FindAll(RepositoryRoot()).Single(b => b.File == file && b.Line == line);
        var errors = Compile(block);
        if (errors.Count > 0)
        {
            Assert.Fail($"The C# block at {file}:{line} does not compile as a user would paste it into a new console project:\n"
                + string.Join('\n', errors) + "\n\n" + block.Code);
        }
    }

    [Fact]
    public void Docs_have_code_blocks_to_check()
    {
        var blocks = CodeBlock.FindAll(RepositoryRoot());
        blocks.Should().Contain(b => b.File == "README.md");
        blocks.Should().Contain(b => b.File.StartsWith("docs/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_with_its_markdown_line()
    {
        var block = new CodeBlock("docs/example.md", 10, "using NeuralStyle;\n\nvar x = StyleTransfer.NoSuchMethod();\n");
        var errors = Compile(block);
        errors.Should().ContainSingle().Which.Should().StartWith("docs/example.md:13:").And.Contain("CS0117");
    }

    [Fact]
    public void Library_blocks_compile_as_libraries_and_programs_as_programs()
    {
        Compile(new CodeBlock("a.md", 1, "public static class Helper { public static int One() => 1; }\n")).Should().BeEmpty();
        Compile(new CodeBlock("b.md", 1, "Console.WriteLine(NeuralStyle.StyleTransferPresets.Names.Count);\n")).Should().BeEmpty();
    }

    /// <summary>Compiles a block; returns its errors as <c>file:line: id: message</c>, lines counted in the markdown file.</summary>
    private static List<string> Compile(CodeBlock block)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(block.Code, parseOptions, path: block.File, encoding: Encoding.UTF8);
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "DocsBlock",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions)],
            References.Value,
            new CSharpCompilationOptions(
                isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: false));

        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        return result.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var lineInBlock = d.Location.IsInSource ? d.Location.GetLineSpan().StartLinePosition.Line : 0;
                return $"{block.File}:{block.Line + 1 + lineInBlock}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })
            .ToList();
    }

    /// <summary>
    /// The BCL and every assembly this test runs with (NeuralStyle, TorchSharp, SkiaSharp, logging abstractions), plus
    /// the ASP.NET Core shared framework beside the running runtime, for docs/hosting.md (a web app's references:
    /// where both have an assembly, the framework's wins, as it does in a web project).
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            byName[Path.GetFileName(path)] = path;
        }

        var aspNetCore = AspNetCoreFrameworkDirectory();
        if (aspNetCore is not null)
        {
            foreach (var path in Directory.EnumerateFiles(aspNetCore, "*.dll"))
            {
                byName[Path.GetFileName(path)] = path;
            }
        }

        byName.Should().ContainKey("NeuralStyle.dll");
        return byName.Values
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>shared/Microsoft.AspNetCore.App/VERSION beside shared/Microsoft.NETCore.App/VERSION: the same version, else the newest of the same major.</summary>
    private static string? AspNetCoreFrameworkDirectory()
    {
        var runtime = new DirectoryInfo(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
        var frameworks = Path.Combine(runtime.Parent!.Parent!.FullName, "Microsoft.AspNetCore.App");
        if (!Directory.Exists(frameworks))
        {
            return null;
        }

        var same = Path.Combine(frameworks, runtime.Name);
        if (Directory.Exists(same))
        {
            return same;
        }

        var major = runtime.Name.Split('.')[0] + ".";
        return Directory.EnumerateDirectories(frameworks)
            .Where(d => Path.GetFileName(d).StartsWith(major, StringComparison.Ordinal))
            .OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0))
            .LastOrDefault();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (NeuralStyle.sln) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fenced C# block: the markdown file (relative, '/'-separated), the line of its opening fence, its code.</summary>
    private sealed record CodeBlock(string File, int Line, string Code)
    {
        private static readonly string[] CSharpTags = ["csharp", "cs", "c#"];

        public static List<CodeBlock> FindAll(string root)
        {
            var files = new List<string> { Path.Combine(root, "README.md") };
            var docs = Path.Combine(root, "docs");
            if (Directory.Exists(docs))
            {
                files.AddRange(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }

            return files.Where(System.IO.File.Exists).SelectMany(f => Parse(Path.GetRelativePath(root, f).Replace('\\', '/'), System.IO.File.ReadAllLines(f))).ToList();
        }

        /// <summary>Fences are <c>```</c> or <c>~~~</c> (three or more), possibly indented; the info string's first word names the language.</summary>
        private static IEnumerable<CodeBlock> Parse(string file, string[] lines)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var opening = lines[i].TrimStart();
                var fence = FenceOf(opening);
                if (fence is null)
                {
                    continue;
                }

                var info = opening[fence.Length..].Trim();
                var language = info.Split(' ', 2)[0];
                var code = new StringBuilder();
                var start = i;
                for (i++; i < lines.Length && !IsClosing(lines[i].TrimStart(), fence); i++)
                {
                    code.Append(lines[i]).Append('\n');
                }

                if (CSharpTags.Contains(language, StringComparer.OrdinalIgnoreCase))
                {
                    yield return new CodeBlock(file, start + 1, code.ToString());
                }
            }
        }

        private static string? FenceOf(string line)
        {
            foreach (var c in "`~")
            {
                var n = line.TakeWhile(ch => ch == c).Count();
                if (n >= 3)
                {
                    return new string(c, n);
                }
            }

            return null;
        }

        private static bool IsClosing(string line, string fence) =>
            line.StartsWith(fence, StringComparison.Ordinal) && line.TrimEnd().All(ch => ch == fence[0]);
    }
}
