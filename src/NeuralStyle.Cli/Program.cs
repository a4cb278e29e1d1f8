using System;
using System.Globalization;
using System.Threading.Tasks;

namespace NeuralStyle.Cli;

/// <summary>The <c>neural-style</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code docs/cli.md lists: 0 done, 1 failed, 2 unusable input, 130 Ctrl+C, 143 SIGTERM.</returns>
    public static async Task<int> Main(string[] args)
    {
        // Numbers read and printed the same under every locale (the parsers are invariant too; this covers the rest).
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

        var interactive = !Console.IsOutputRedirected;
        using var signals = new TerminationSignals(Console.Out, interactive);
        var code = await CliApp.RunAsync(args, Console.Out, Console.Error, interactive, signals.Token).ConfigureAwait(false);
        if (code == ExitCodes.Interrupted && signals.ExitCode != 0)
        {
            signals.RestoreTerminal();
            await Console.Error.WriteLineAsync($"neural-style: cancelled by {signals.Name}; no result was written.").ConfigureAwait(false);
            return signals.ExitCode;
        }

        return code;
    }
}
