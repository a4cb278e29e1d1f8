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
    private static readonly SemaphoreSlim[] Stripes = CreateStripes(64);
    private readonly string _root;
    private readonly Serializer _serializer;

    public FileGrainStorage(string root, Serializer serializer)
    {
        _root = Path.GetFullPath(root);
        _serializer = serializer;
        Directory.CreateDirectory(_root);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var stripe = StripeOf(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            var stored = await ReadAsync(path).ConfigureAwait(false);
            if (stored is null)
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            grainState.State = _serializer.Deserialize<T>(stored.Value.Payload);
            grainState.ETag = stored.Value.ETag;
            grainState.RecordExists = true;
        }
        finally
        {
            stripe.Release();
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var stripe = StripeOf(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = (await ReadAsync(path).ConfigureAwait(false))?.ETag;
            CheckETag(grainId, stateName, current, grainState.ETag);
            var etag = (current is null ? 1 : long.Parse(current, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            var payload = _serializer.SerializeToArray(grainState.State);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                {
                    var header = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(header, long.Parse(etag, CultureInfo.InvariantCulture));
                    await stream.WriteAsync(header).ConfigureAwait(false);
                    await stream.WriteAsync(payload).ConfigureAwait(false);
                    await stream.FlushAsync().ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }

            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        finally
        {
            stripe.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var stripe = StripeOf(path);
        await stripe.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = (await ReadAsync(path).ConfigureAwait(false))?.ETag;
            CheckETag(grainId, stateName, current, grainState.ETag);
            File.Delete(path);
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        finally
        {
            stripe.Release();
        }
    }

    private static void CheckETag(GrainId grainId, string stateName, string? stored, string? expected)
    {
        if (!string.Equals(stored, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException($"The {stateName} state of {grainId} was changed by another writer.", stored ?? "(none)", expected ?? "(none)");
        }
    }

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

        if (bytes.Length < 8)
        {
            throw new IOException($"The state file {path} is damaged (shorter than its header).");
        }

        var etag = BinaryPrimitives.ReadInt64LittleEndian(bytes).ToString(CultureInfo.InvariantCulture);
        return (etag, bytes[8..]);
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
