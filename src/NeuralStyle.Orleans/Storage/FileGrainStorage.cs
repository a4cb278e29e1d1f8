using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace NeuralStyle.Orleans.Storage;

/// <summary>
/// Grain state in files under one directory, for a single machine (<c>neural-style serve</c>, tests): one file per grain
/// and state, named by a hash of the grain id (nothing a request sends becomes a path), written atomically (temporary file,
/// then rename) with an ETag check. Silos in one process share it safely; for a cluster across machines use Redis.
/// </summary>
internal sealed class FileGrainStorage : IGrainStorage
{
    private const int HeaderBytes = sizeof(long);
    private static readonly SemaphoreSlim[] Stripes = CreateStripes(64);
    private readonly string _root;
    private readonly Serializer _serializer;

    public FileGrainStorage(string root, Serializer serializer)
    {
        _root = Path.GetFullPath(root);
        _serializer = serializer;
        Directory.CreateDirectory(_root);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => UnderLockAsync(stateName, grainId, grainState, checkETag: false, async (path, _) =>
        {
            var stored = await ReadAsync(path).ConfigureAwait(false);
            grainState.State = stored is null ? Activator.CreateInstance<T>() : _serializer.Deserialize<T>(stored.Value.Payload);
            grainState.ETag = stored?.ETag;
            grainState.RecordExists = stored is not null;
        });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => UnderLockAsync(stateName, grainId, grainState, checkETag: true, (path, current) =>
        {
            var etag = current is null ? 1 : current.Value + 1;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                // Serialised straight into the file from the serialiser's pooled buffers: a state of megabytes (a checkpoint)
                // is not first copied into an array of its own.
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096))
                {
                    Span<byte> header = stackalloc byte[HeaderBytes];
                    BinaryPrimitives.WriteInt64LittleEndian(header, etag);
                    stream.Write(header);
                    _serializer.Serialize(grainState.State, stream);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }

            grainState.ETag = Format(etag);
            grainState.RecordExists = true;
            return Task.CompletedTask;
        });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => UnderLockAsync(stateName, grainId, grainState, checkETag: true, (path, _) =>
        {
            File.Delete(path);
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        });

    /// <summary>
    /// Runs <paramref name="operation"/> on a grain's state file under the file's stripe lock, with the stored ETag read
    /// first (null: no file) and, for a write or a clear, checked against the caller's.
    /// </summary>
    private async Task UnderLockAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, bool checkETag, Func<string, long?, Task> operation)
    {
        var path = PathOf(stateName, grainId);
        var stripe = StripeOf(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            var stored = checkETag ? await ReadETagAsync(path).ConfigureAwait(false) : null;
            if (checkETag && !string.Equals(Format(stored), grainState.ETag, StringComparison.Ordinal))
            {
                throw new InconsistentStateException($"The {stateName} state of {grainId} was changed by another writer.", Format(stored) ?? "(none)", grainState.ETag ?? "(none)");
            }

            await operation(path, stored).ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <summary>Reads only the header of a state file: its ETag, or null when there is no file.</summary>
    private static async Task<long?> ReadETagAsync(string path)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, HeaderBytes, FileOptions.Asynchronous);
            var header = new byte[HeaderBytes];
            await stream.ReadExactlyAsync(header).ConfigureAwait(false);
            return BinaryPrimitives.ReadInt64LittleEndian(header);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (EndOfStreamException)
        {
            throw new IOException($"The state file {path} is damaged (shorter than its header).");
        }
    }

    private static string? Format(long? etag) => etag?.ToString(CultureInfo.InvariantCulture);

    private static async Task<(string ETag, byte[] Payload)?> ReadAsync(string path)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        if (bytes.Length < HeaderBytes)
        {
            throw new IOException($"The state file {path} is damaged (shorter than its header).");
        }

        return (Format(BinaryPrimitives.ReadInt64LittleEndian(bytes))!, bytes[HeaderBytes..]);
    }

    private string PathOf(string stateName, GrainId grainId)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stateName + "\n" + grainId.ToString())));
        return Path.Combine(_root, hash[..2], hash + ".state");
    }

    private static SemaphoreSlim StripeOf(string path) => Stripes[(StringComparer.Ordinal.GetHashCode(path) & int.MaxValue) % Stripes.Length];

    private static SemaphoreSlim[] CreateStripes(int count)
    {
        var stripes = new SemaphoreSlim[count];
        for (var i = 0; i < count; i++)
        {
            stripes[i] = new SemaphoreSlim(1, 1);
        }

        return stripes;
    }
}
