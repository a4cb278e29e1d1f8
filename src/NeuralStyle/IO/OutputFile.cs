using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NeuralStyle.Internal;

namespace NeuralStyle.IO;

/// <summary>
/// Writes an output file in one step, as the library's image and video outputs are written: the content goes to a
/// temporary file in the same folder (named after the output, hidden, with the output's extension), which is then moved
/// over the path, so no half-written file is ever at the path and a failed write leaves nothing behind. An existing file
/// keeps its permissions (on Unix; owner and group become the writer's). A symbolic link is written through: the file it
/// finally points to is replaced (or created) and the link stays.
/// </summary>
public static class OutputFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which gets the temporary file open for writing.</summary>
    /// <param name="path">The output file. Its folder must exist.</param>
    /// <param name="write">Writes the content to the stream it is given; it must not close the stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names no file.</exception>
    /// <exception cref="IOException">The file cannot be written (for example the folder does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to the folder is not allowed.</exception>
    public static void Write(string path, Action<FileStream> write)
    {
        Guard.NotNull(write);
        var replacement = Replacement.For(path);
        try
        {
            using (var file = replacement.Create())
            {
                write(file);
                file.Flush(flushToDisk: true);
            }

            replacement.Commit();
        }
        catch
        {
            replacement.Discard();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>, which gets the temporary file's path — an empty file,
    /// made with the permissions the output keeps — and writes over it (for tools such as <c>ffmpeg</c> that open files by name).
    /// </summary>
    /// <param name="path">The output file. Its folder must exist.</param>
    /// <param name="write">Writes the content to the file at the path it is given.</param>
    /// <param name="cancellationToken">Passed to <paramref name="write"/>; when it cancels, nothing is left behind.</param>
    /// <returns>A task that completes when the output is in place.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names no file.</exception>
    /// <exception cref="IOException">The file cannot be written (for example the folder does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">Writing to the folder is not allowed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task WriteAsync(string path, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(write);
        var replacement = Replacement.For(path);
        try
        {
            using (replacement.Create())
            {
            }

            await write(replacement.Temporary, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            replacement.Commit();
        }
        catch
        {
            replacement.Discard();
            throw;
        }
    }

    /// <summary>Where the output finally goes, its temporary file, and the permissions it keeps.</summary>
    private sealed record Replacement(string Target, string Temporary, UnixFileMode? KeptMode)
    {
        public static Replacement For(string path)
        {
            Guard.NotNullOrWhiteSpace(path);
            var target = Path.GetFullPath(path);
            if (new FileInfo(target).LinkTarget is not null && File.ResolveLinkTarget(target, returnFinalTarget: true) is { } final)
            {
                target = final.FullName;
            }

            var folder = Path.GetDirectoryName(target);
            var name = Path.GetFileName(target);
            if (folder is null || name.Length == 0)
            {
                throw new ArgumentException($"'{path}' names no file.", nameof(path));
            }

            var temporary = Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(name)}.{Guid.NewGuid():N}.partial{Path.GetExtension(name)}");
            var kept = !OperatingSystem.IsWindows() && File.Exists(target) ? File.GetUnixFileMode(target) : (UnixFileMode?)null;
            return new Replacement(target, temporary, kept);
        }

        /// <summary>Creates the temporary file, with the kept permissions from the start, so it is never more open meanwhile.</summary>
        public FileStream Create()
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (KeptMode is { } mode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            return new FileStream(Temporary, options);
        }

        public void Commit()
        {
            if (KeptMode is { } mode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Temporary, mode); // the umask may have narrowed the mode it was created with
            }

            File.Move(Temporary, Target, overwrite: true);
        }

        public void Discard()
        {
            try
            {
                File.Delete(Temporary);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: the original error is what the caller needs to see.
            }
        }
    }
}
