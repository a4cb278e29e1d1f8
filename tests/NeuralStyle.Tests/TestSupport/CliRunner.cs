using System.IO;
using System.Threading.Tasks;
using NeuralStyle.Cli;
using Xunit;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>Runs the <c>neural-style</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, interactive: false, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The path of one of the repository's sample images.</summary>
    public static string Sample(string name) => Path.Combine(SampleImages.Folder, name);
}
