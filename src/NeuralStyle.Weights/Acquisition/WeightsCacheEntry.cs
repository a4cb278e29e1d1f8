using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace NeuralStyle.Weights;

/// <summary>
/// The cached weights file, trusted only when its SHA-256 matches. A small sidecar marker (<c>&lt;name&gt;.verified</c>)
/// records the digest with the size and modification time it was computed for, so that later runs need not hash again;
/// any change to the file makes the marker stale and the file is hashed anew.
/// </summary>
internal sealed class WeightsCacheEntry
{
    private const string TemporaryInfix = ".tmp-";
    private readonly byte[] _expectedHash;
    private readonly ILogger _logger;

    public WeightsCacheEntry(string directory, string fileName, string expectedSha256, ILogger logger)
    {
        Directory = directory;
        FileName = fileName;
        FilePath = System.IO.Path.Combine(directory, fileName);
        ExpectedSha256 = expectedSha256;
        _expectedHash = Convert.FromHexString(expectedSha256);
        _logger = logger;
    }

    /// <summary>Gets the cache folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the name of the cached file.</summary>
    public string FileName { get; }

    /// <summary>Gets the full path of the cached file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the expected digest in lower-case hex.</summary>
    public string ExpectedSha256 { get; }

    /// <summary>Gets the lock file that serialises downloads into this folder.</summary>
    public string LockPath => FilePath + ".lock";

    private string MarkerPath => FilePath + ".verified";

    /// <summary>Returns a new, unique temporary file name in the cache folder.</summary>
    public string NewTemporaryPath() => FilePath + TemporaryInfix + RandomNumberGenerator.GetHexString(12, lowercase: true);

    /// <summary>Checks whether the expected digest matches <paramref name="actual"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> actual) => actual.SequenceEqual(_expectedHash);

    /// <summary>Checks the cached file.</summary>
    /// <returns>
    /// <see langword="null"/> when the file is valid; otherwise why not (missing, or its actual digest), for messages.
    /// </returns>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(FilePath);
        if (!info.Exists)
        {
            return "it does not exist";
        }

        if (HasValidMarker(info))
        {
            return null;
        }

        byte[] actual;
        try
        {
            // Share everything: another process may replace or delete the file while we read it.
            var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                actual = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read ({ex.Message})";
        }

        var actualHex = HexText.ToLower(actual);
        if (!Matches(actual))
        {
            _logger.CachedFileMismatch(FilePath, actualHex, ExpectedSha256);
            return $"its SHA-256 is {actualHex}, expected {ExpectedSha256}";
        }

        WriteMarker(info);
        return null;
    }

    /// <summary>Records that the file as it is now has the expected digest.</summary>
    public void WriteMarker() => WriteMarker(new FileInfo(FilePath));

    /// <summary>Deletes the cached file and its marker; call only while holding the lock.</summary>
    public void Delete()
    {
        TryDelete(MarkerPath);
        File.Delete(FilePath);
    }

    /// <summary>Deletes temporary files left by downloads that crashed; call only while holding the lock.</summary>
    public void DeleteLeftovers()
    {
        try
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, FileName + TemporaryInfix + "*"))
            {
                if (TryDelete(path))
                {
                    _logger.DeletedLeftover(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.DeleteFailed(Directory, ex);
        }
    }

    /// <summary>Deletes a file, logging instead of throwing when that fails.</summary>
    /// <returns><see langword="true"/> when the file is gone.</returns>
    public bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.DeleteFailed(path, ex);
            return false;
        }
    }

    private static string MarkerText(string sha256, FileInfo info)
        => string.Create(CultureInfo.InvariantCulture, $"sha256={sha256} size={info.Length} mtime={info.LastWriteTimeUtc.Ticks}");

    private bool HasValidMarker(FileInfo info)
    {
        try
        {
            var marker = new FileInfo(MarkerPath);
            return marker.Exists && marker.Length < 512
                && string.Equals(File.ReadAllText(MarkerPath).Trim(), MarkerText(ExpectedSha256, info), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Best effort: without a marker the file is merely hashed again next time. Written via a temporary file so that
    // a reader never sees half a marker.
    private void WriteMarker(FileInfo info)
    {
        var temporary = MarkerPath + TemporaryInfix + RandomNumberGenerator.GetHexString(12, lowercase: true);
        try
        {
            info.Refresh();
            File.WriteAllText(temporary, MarkerText(ExpectedSha256, info) + "\n");
            File.Move(temporary, MarkerPath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.MarkerNotWritten(MarkerPath, ex);
            TryDelete(temporary);
        }
    }
}
