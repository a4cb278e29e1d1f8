using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// Runs the real <c>neural-style</c> program (the built tool, in its own process) and captures its exit code and what
/// it prints, as a user would see them.
/// </summary>
internal static partial class CliRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The tool's entry assembly, built beside the tests.</summary>
    public static string ToolAssembly { get; } = Path.Combine(AppContext.BaseDirectory, "neural-style.dll");

    /// <summary>Runs the tool to the end.</summary>
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>Runs the tool to the end with extra environment variables (null removes one).</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? environment)
    {
        using var run = Start(args, environment);
        var code = await run.WaitAsync();
        return (code, run.Output, run.Error);
    }

    /// <summary>Starts the tool; the caller waits for it (and may signal it meanwhile).</summary>
    public static ToolProcess Start(string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(ToolAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new ToolProcess(Process.Start(start)!);
    }

    /// <summary>The path of one of the repository's sample images.</summary>
    public static string Sample(string name) => Path.Combine(SampleImages.Folder, name);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*\[W\d{4} [0-9:.]+ [A-Za-z_]+\.cpp:\d+\] .*\r?\n", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex LibTorchWarning();

    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>A running tool: its output as it arrives, signals, and the exit code.</summary>
    internal sealed class ToolProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();
        private readonly Task _reading;

        public ToolProcess(Process process)
        {
            _process = process;
            _process.StandardInput.Close();
            _reading = Task.WhenAll(Pump(process.StandardOutput, _output), Pump(process.StandardError, _error));
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Gets what the tool printed on standard error so far, libtorch's own warning lines included.</summary>
        public string RawError
        {
            get
            {
                lock (_error)
                {
                    return _error.ToString();
                }
            }
        }

        /// <summary>
        /// Standard error, less libtorch's own warning lines ("[W… optimizer.cpp:138] Warning: …" with L-BFGS), which libtorch prints whatever the tool does
        /// (docs/cli.md).
        /// </summary>
        public string Error
        {
            get
            {
                lock (_error)
                {
                    return LibTorchWarning().Replace(_error.ToString(), string.Empty);
                }
            }
        }

        /// <summary>Waits until standard output contains <paramref name="text"/>; false when the process ended first.</summary>
        public async Task<bool> WaitForOutputAsync(string text)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Timeout);
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (_process.HasExited)
                {
                    return Output.Contains(text, StringComparison.Ordinal);
                }

                await Task.Delay(50, timeout.Token);
            }

            return true;
        }

        /// <summary>
        /// Reads <paramref name="measure"/> of standard output once it has stopped growing (the process stopped with SIGSTOP,
        /// its pipe read to the end): the same value over 300 ms.
        /// </summary>
        public async Task<int> OutputAtRestAsync(Func<string, int> measure)
        {
            var (last, steady) = (-1, 0);
            while (steady < 6)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
                var now = measure(Output);
                (last, steady) = (now, now == last ? steady + 1 : 0);
            }

            return last;
        }

        /// <summary>Sends a POSIX signal (INT, TERM, STOP, CONT) with the system's kill command.</summary>
        public void Signal(string name)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            kill.WaitForExit();
        }

        /// <summary>
        /// Waits until the process has taken every signal sent to it, that is until none is pending in its
        /// /proc/PID/status (ShdPnd, SigPnd). POSIX does not queue a second standard signal that arrives while the first of
        /// its kind is still pending: two sent back to back can reach the process as one.
        /// </summary>
        public async Task WaitUntilSignalsTakenAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Timeout);
            while (!_process.HasExited && HasPendingSignal())
            {
                await Task.Delay(5, timeout.Token);
            }
        }

        public async Task<int> WaitAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw;
            }

            await _reading;
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private bool HasPendingSignal()
        {
            try
            {
                return File.ReadLines($"/proc/{_process.Id}/status")
                    .Where(l => l.StartsWith("ShdPnd:", StringComparison.Ordinal) || l.StartsWith("SigPnd:", StringComparison.Ordinal))
                    .Any(l => System.Convert.ToUInt64(l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), 16) != 0);
            }
            catch (IOException)
            {
                return false; // the process has ended
            }
        }

        private static async Task Pump(StreamReader reader, StringBuilder into)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (into)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }
    }
}
