using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// What the real tool prints for a command line it cannot run: one line on standard error in the tool's own words (its
/// flags, what was expected, the nearest valid spelling), no help dump, no API names, no stack trace, and the exit code
/// docs/cli.md documents.
/// </summary>
public sealed class CliErrorTests
{
    private const string Content = "content";
    private const string Style = "style";

    public static TheoryData<string[], int, string> Cases => new()
    {
        { [], 2, "missing CONTENT. Usage: neural-style CONTENT STYLE [STYLE…] [options]" },
        { [Content], 2, "missing STYLE" },
        { [Content, Style, "--colour-preserve", "luminance"], 2, "unknown option '--colour-preserve'. Did you mean --preserve-colors?" },
        { [Content, Style, "--sizee", "64"], 2, "unknown option '--sizee'. Did you mean --size?" },
        { [Content, Style, "--iterations", "abc"], 2, "--iterations expects a whole number such as 10; got 'abc'." },
        { [Content, Style, "--lr", "0,5"], 2, "--learning-rate expects a number such as 0.5 or 1e-3" },
        { [Content, Style, "--optimizer", "sgd"], 2, "--optimizer expects one of adam, lbfgs; got 'sgd'." },
        { [Content, Style, "--optimizer", "adma"], 2, "Did you mean 'adam'?" },
        { [Content, Style, "--preset", "the-screm"], 2, "--preset expects one of composition-vii, the-scream, starry-night; got 'the-screm'. Did you mean 'the-scream'?" },
        { [Content, Style, "--size"], 2, "--size expects a value" },
        { [Content, Style, "--size", "-5"], 2, "--size must be between 16 and 16384 pixels." },
        { [Content, Style, "--device", "cuda:-1"], 2, "--device: Unknown device 'cuda:-1'" },
        { [Content, Style, "--max-pixels", "0"], 2, "--max-pixels expects a positive number of pixels" },
        { [Content, Style, "--save-every", "-1"], 2, "--save-every expects 0" },
        { [Content, Style, "--init", "image"], 2, "--init-image must be set" },
        { [Content, Style, "--lbfgs-history", "0"], 2, "--lbfgs-history must be between 1 and 10,000." },
        { [Content, Style, "--weights", "missing.safetensors", "--no-download"], 1, "given in --weights does not exist" },
        { ["memory", "--width", "10"], 2, "--height is required" },
        { ["memory", "--width", "64", "--height", "64", "--max-memory", "lots"], 2, "--max-memory: 'lots' is not a size" },
        { ["features"], 2, "missing IMAGE. Usage: neural-style features IMAGE [options]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_command_line_is_one_line_in_the_tools_words_with_the_documented_exit_code(string[] args, int exitCode, string message)
    {
        var resolved = System.Array.ConvertAll(args, a => a switch
        {
            Content => CliRunner.Sample("content-village.png"),
            Style => CliRunner.Sample("style-mosaic.png"),
            _ => a,
        });

        var (code, stdout, stderr) = await CliRunner.RunAsync(resolved);

        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("neural-style: error: ").And.Contain(message)
            .And.NotContain("(Parameter").And.NotContain("Options.").And.NotContain(" at ").And.NotContain("System.");
        stdout.Should().NotContain("Usage:", "the help text is not printed after an error").And.NotContain("Options:");
        code.Should().Be(exitCode);
    }

    [Fact]
    public async Task Device_cuda_says_what_a_tool_user_can_do()
    {
        var (code, _, stderr) = await CliRunner.RunAsync(CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o",
            Path.Combine(Path.GetTempPath(), "neuralstyle-never-written.png"), "--size", "32", "-i", "1", "--device", "cuda", "--weights", SharedAssets.SafeTensorsWeights);

        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("--device cuda").And.Contain("CPU build only").And.Contain("docs/gpu.md");
        code.Should().Be(2);
    }

    [Fact]
    public async Task Too_small_a_memory_budget_names_the_budget_that_would_do_and_exits_1()
    {
        var output = Path.Combine(Path.GetTempPath(), "neuralstyle-never-written-budget.png");
        var (code, _, stderr) = await CliRunner.RunAsync(CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", output,
            "--size", "1024", "-i", "1", "--max-memory", "64MB", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu");

        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("neural-style: error: A memory budget (--max-memory) of 64 MB is too small")
            .And.MatchRegex(@"allow at least \d+ MB\.$").And.NotContain("Options.").And.NotContain("--size", "the planner's suggestion, not the out-of-memory advice");
        code.Should().Be(1);
        File.Exists(output).Should().BeFalse();
        var documented = System.Text.RegularExpressions.Regex.Match(Docs.DocsPromiseTests.Read("docs/cli.md"), @"with `--size 1024 --max-memory 64MB`: `(?<m>[^`]+)`; exit 1\)").Groups["m"].Value;
        stderr.Trim().Should().Be("neural-style: error: " + documented, "docs/cli.md quotes the message word for word");
    }

    [Fact]
    public async Task Weights_missing_with_no_download_name_the_tools_flags_and_variable()
    {
        var cache = Directory.CreateTempSubdirectory("neuralstyle-empty-cache-").FullName;
        try
        {
            var (code, stdout, stderr) = await CliRunner.RunAsync(
                [CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", Path.Combine(cache, "out.png"), "--size", "32", "-i", "1", "--no-download", "--device", "cpu"],
                new Dictionary<string, string?> { ["NEURALSTYLE_WEIGHTS"] = null, ["NEURALSTYLE_CACHE"] = cache });

            stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("neural-style: error: ")
                .And.Contain("downloading is disabled (--no-download)").And.Contain("pass --weights FILE").And.Contain("NEURALSTYLE_WEIGHTS")
                .And.NotContain("Options").And.NotContain("is false").And.NotContain(" at ");
            stdout.Should().NotContain("Usage:");
            code.Should().Be(1);
            File.Exists(Path.Combine(cache, "out.png")).Should().BeFalse();
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task Help_exits_0_and_documents_the_exit_codes_flags()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("--help");
        stderr.Should().BeEmpty();
        code.Should().Be(0);
        stdout.Should().Contain("--preserve-colors").And.Contain("memory").And.Contain("features");
    }

    [Fact]
    public void The_docs_list_the_exit_codes_the_tool_uses()
    {
        var cli = File.ReadAllText(Path.Combine(SampleImages.Folder, "..", "..", "docs", "cli.md"));
        foreach (var code in new[] { "`0`", "`1`", "`2`", "`130`", "`143`" })
        {
            cli.Should().Contain(code);
        }
    }
}
