using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace NeuralStyle.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM: the first cancels the run (the library stops within one iteration and writes nothing),
/// the exit code says which signal it was (130 or 143); a second Ctrl+C ends the process at once.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    /// <summary>Shows the cursor again (a live progress display hides it).</summary>
    public const string ShowCursor = "\u001b[?25h";

    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly TextWriter _terminal;
    private readonly bool _interactive;
    private int _exitCode;

    public TerminationSignals(TextWriter terminal, bool interactive)
    {
        (_terminal, _interactive) = (terminal, interactive);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, ExitCodes.Interrupted));
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, ExitCodes.Terminated));
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>130 after Ctrl+C, 143 after SIGTERM; 0 before any signal.</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>"Ctrl+C" or "SIGTERM", for the one line the tool prints.</summary>
    public string Name => ExitCode == ExitCodes.Terminated ? "SIGTERM" : "Ctrl+C";

    /// <summary>Shows the cursor again when a live display may have hidden it.</summary>
    public void RestoreTerminal()
    {
        if (_interactive)
        {
            _terminal.Write(ShowCursor);
            _terminal.Flush();
        }
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int exitCode)
    {
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            // The second signal: the user does not want to wait for the iteration under way. The signal's default action
            // ends the process at once (exit status 128 + signal), without running libtorch's exit handlers while its
            // threads still work (Environment.Exit would, and can crash there).
            RestoreTerminal();
            Console.Error.WriteLine("neural-style: stopped.");
            context.Cancel = false;
            return;
        }

        context.Cancel = true;
        _cancellation.Cancel();
    }
}
