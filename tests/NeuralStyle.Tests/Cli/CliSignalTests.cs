using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Cli;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// Ctrl+C and SIGTERM sent to the real tool in the middle of a run: it stops within an iteration, prints one line,
/// writes no result and no half-written file, and exits 130 (SIGINT) or 143 (SIGTERM); a second Ctrl+C ends it at once.
/// </summary>
public sealed partial class CliSignalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralstyle-signals-").FullName;

    public CliSignalTests()
    {
        // A process started in the background by a non-interactive shell ignores SIGINT, and so does every process it starts,
        // the tool too (POSIX keeps an ignored signal ignored across exec): the Ctrl+C cases would wait for a run to its end.
        var ignored = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        (System.Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & 2).Should().Be(0UL,
            "SIGINT must not be ignored by the test process, which the tool would inherit (run the tests in the foreground, or with SIGINT restored)");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("INT", 130, "cancelled by Ctrl+C")]
    [InlineData("TERM", 143, "cancelled by SIGTERM")]
    public async Task The_first_signal_cancels_within_an_iteration_and_writes_nothing(string signal, int exitCode, string message)
    {
        var output = Path.Combine(_folder, "out.png");
        using var run = Start(output, size: 64);
        (await run.WaitForOutputAsync("iteration 2/")).Should().BeTrue(run.Error);

        // The tool is stopped while its output is read to the end, so that the count is of every report before the signal
        // (an iteration at 64 px is shorter than the time it takes to read a line and start `kill`), and continued after.
        run.Signal("STOP");
        var reportsAtSignal = await run.OutputAtRestAsync(line => Iterations().Count(line));
        run.Signal(signal);
        run.Signal("CONT");
        var code = await run.WaitAsync();

        code.Should().Be(exitCode, run.Error);
        run.Error.Trim().Split('\n').Should().ContainSingle().Which.Should().Be($"neural-style: {message}; no result was written.");
        Iterations().Count(run.Output).Should().BeLessThanOrEqualTo(reportsAtSignal + 2, "the run stops within the iteration under way");
        File.Exists(output).Should().BeFalse();
        Directory.EnumerateFiles(_folder).Should().OnlyContain(f => Path.GetFileName(f).StartsWith("out-", StringComparison.Ordinal) && new FileInfo(f).Length > 0,
            "only complete intermediate images remain, no temporary or empty file");
    }

    [Fact]
    public async Task A_second_ctrl_c_ends_the_process_at_once()
    {
        var output = Path.Combine(_folder, "big.png");
        using var run = Start(output, size: 512);
        (await run.WaitForOutputAsync("iteration 1/")).Should().BeTrue(run.Error);

        // The second signal only once the first is taken: two sent back to back can merge into one, which the tool then (rightly)
        // treats as a first Ctrl+C and cancels cooperatively.
        run.Signal("INT");
        await run.WaitUntilSignalsTakenAsync();
        run.Signal("INT");
        var code = await run.WaitAsync();

        code.Should().Be(130, run.Error);
        run.Error.Should().Contain("neural-style: stopped.");
        File.Exists(output).Should().BeFalse();
    }

    [Theory]
    [InlineData(true, TerminationSignals.ShowCursor)]
    [InlineData(false, "")]
    public void The_terminal_is_given_its_cursor_back_only_when_it_is_one(bool interactive, string written)
    {
        // The tool's own cases (a redirected output, as in the tests above) write no escape code into the output.
        using var terminal = new StringWriter();
        using var signals = new TerminationSignals(terminal, interactive);

        signals.RestoreTerminal();

        terminal.ToString().Should().Be(written);
        signals.ExitCode.Should().Be(0, "no signal has come");
    }

    private static CliRunner.ToolProcess Start(string output, int size) => CliRunner.Start(
    [
        CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", output, "--size", size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--style-size", "64", "-i", "1000", "--progress-every", "1", "--save-every", "1", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu",
    ]);

    [GeneratedRegex(@"^iteration \d+/", RegexOptions.Multiline)]
    private static partial Regex Iterations();
}
