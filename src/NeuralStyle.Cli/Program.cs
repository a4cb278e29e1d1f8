using System;
using System.Threading.Tasks;

namespace NeuralStyle.Cli;

/// <summary>The <c>neural-style</c> command-line tool.</summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>0 on success, non-zero on error.</returns>
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
}
