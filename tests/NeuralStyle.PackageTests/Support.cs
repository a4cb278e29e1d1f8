using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;

namespace NeuralStyle.PackageTests;

/// <summary>The repository this test runs from, the shared weights, and running its scripts.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SqueezeNet weights (NEURALSTYLE_WEIGHTS, else ../shared); skips the test without them, fails under CI=true.</summary>
    public static string Weights()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS");
        var path = !string.IsNullOrEmpty(fromEnv) ? fromEnv : Path.Combine(Root, "..", "shared", "weights", "squeezenet1_1-features.safetensors");
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        const string message = "Missing the SqueezeNet weights (set NEURALSTYLE_WEIGHTS to squeezenet1_1-features.safetensors).";
        if (IsCi)
        {
            throw new InvalidOperationException(message + " CI=true requires them.");
        }

        Assert.Skip(message);
        return null!;
    }

    /// <summary>Runs <c>bash eng/consumer-test.sh ARGS</c>; returns its exit code and its interleaved output.</summary>
    public static async Task<(int ExitCode, string Output)> ConsumerTest(string weights, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "eng", "consumer-test.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (weights.Length > 0)
        {
            start.Environment["NEURALSTYLE_WEIGHTS"] = weights;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // A guard against a hung process, not a speed limit: packing the RID-specific tool builds it twice, and on a busy
        // 2-core machine the pack alone took over 15 minutes.
        timeout.CancelAfter(TimeSpan.FromMinutes(40));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }

    private static string FindRoot()
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
}

/// <summary>A .nupkg opened for reading: its entries and its nuspec.</summary>
internal sealed class Package : IDisposable
{
    private readonly ZipArchive _zip;

    public Package(string path)
    {
        Path = path;
        _zip = ZipFile.OpenRead(path);
        var nuspec = _zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        Nuspec = XDocument.Load(stream);
    }

    public string Path { get; }

    public XDocument Nuspec { get; }

    public XElement Metadata => Nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    public string[] Files => _zip.Entries.Select(e => e.FullName).ToArray();

    public string? Element(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? ElementNode(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public byte[] Read(string entry)
    {
        using var stream = _zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public void Dispose() => _zip.Dispose();
}
