using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeuralStyle.Video.IO;

/// <summary>
/// Streams a video's frames through <c>ffmpeg</c>, scaled to a working size, as packed RGB: one frame in memory at a time,
/// whatever the clip's length (ffmpeg waits while the pipe is full).
/// </summary>
internal sealed class FrameReader : IAsyncDisposable
{
    private const int MaxErrorChars = 4000;
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly StringBuilder _errors = new();
    private readonly Task _errorPump;
    private readonly string _path;

    private FrameReader(Process process, string path, int width, int height)
    {
        _process = process;
        _path = path;
        _stdout = process.StandardOutput.BaseStream;
        Width = width;
        Height = height;
        _errorPump = Task.Run(PumpErrorsAsync);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The number of frames read so far.</summary>
    public long FramesRead { get; private set; }

    public static FrameReader Open(FfmpegTools tools, string path, int width, int height)
    {
        var start = new ProcessStartInfo(tools.Ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-nostdin", "-hide_banner", "-v", "error", "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn",
            "-vf", string.Create(CultureInfo.InvariantCulture, $"scale={width}:{height}:flags=bicubic"),
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new FfmpegNotFoundException($"{tools.Ffmpeg} could not be started.");
        return new FrameReader(process, path, width, height);
    }

    /// <summary>Reads the next frame, or <see langword="null"/> at the end of the video.</summary>
    /// <exception cref="VideoFormatException">The video could not be decoded to its end.</exception>
    public async Task<VideoFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[checked(Width * Height * 3)];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await _stdout.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        if (filled == buffer.Length)
        {
            FramesRead++;
            return new VideoFrame(buffer, Width, Height);
        }

        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _errorPump.ConfigureAwait(false);
        if (_process.ExitCode != 0 || filled != 0)
        {
            throw new VideoFormatException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{_path}' could not be decoded past frame {FramesRead} (damaged or truncated): {Errors()}"));
        }

        return null;
    }

    /// <summary>What ffmpeg reported on its error stream (the last few thousand characters).</summary>
    public string Errors()
    {
        lock (_errors)
        {
            var text = _errors.ToString().Trim();
            return text.Length == 0 ? "ffmpeg reported no error" : text.Replace('\n', ' ');
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().ConfigureAwait(false);
            await _errorPump.ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task PumpErrorsAsync()
    {
        var reader = _process.StandardError;
        var block = new char[1024];
        int read;
        while ((read = await reader.ReadAsync(block).ConfigureAwait(false)) > 0)
        {
            lock (_errors)
            {
                _errors.Append(block, 0, read);
                if (_errors.Length > MaxErrorChars)
                {
                    _errors.Remove(0, _errors.Length - MaxErrorChars);
                }
            }
        }
    }
}
