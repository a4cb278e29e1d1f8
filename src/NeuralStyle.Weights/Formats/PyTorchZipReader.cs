using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;
using NeuralStyle.Weights.Pickle;

namespace NeuralStyle.Weights;

/// <summary>
/// Reads <c>torch.save</c> files in PyTorch's zip format: <c>&lt;archive&gt;/data.pkl</c> holds the pickled state dict,
/// whose persistent ids name storages stored raw in <c>&lt;archive&gt;/data/&lt;key&gt;</c>; <c>&lt;archive&gt;/byteorder</c>
/// (optional, <c>little</c> when absent) gives their byte order.
/// </summary>
internal static class PyTorchZipReader
{
    private const string PickleName = "data.pkl";

    /// <summary>Entries beyond the storages: data.pkl, byteorder, version, .data/version, .data/serialization_id and a few more.</summary>
    internal const int ExtraEntries = 64;

    /// <summary>How many bytes of an entry are read between two looks at the cancellation token.</summary>
    private const int InflateChunk = 1 << 20;

    /// <summary>
    /// How many times its own length an archive's entries may expand to together, beyond <see cref="ExpansionAllowance"/>:
    /// torch.save stores them uncompressed, and weights barely compress, so a larger ratio means a zip bomb that would
    /// cost far more time to inflate and check than its length suggests.
    /// </summary>
    private const long MaxArchiveExpansion = 4;

    /// <summary>The bytes any archive's entries may expand to whatever its length.</summary>
    private const long ExpansionAllowance = 1 << 20;

    /// <summary>The most a DEFLATE stream can expand (1032:1 for long runs).</summary>
    private const long MaxDeflateRatio = 1032;

    public static IReadOnlyDictionary<string, WeightTensor> Read(byte[] file, WeightReadContext context)
    {
        ZipDirectoryCheck.Check(file, context.Limits.MaxTensorCount + ExtraEntries, context);
        var zip = new ZipReader(file, context);
        using var archive = zip.Open();
        var entries = zip.IndexEntries(archive);

        // The pickle lies one folder deep: <archive>/data.pkl (the folder's name is free).
        string? prefix = null;
        foreach (var name in entries.Keys)
        {
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && name.IndexOf('/', slash + 1) < 0 && name.AsSpan(slash + 1).SequenceEqual(PickleName))
            {
                if (prefix is not null)
                {
                    throw context.Fail("the zip archive holds more than one data.pkl.");
                }

                prefix = name[..(slash + 1)];
            }
        }

        if (prefix is null)
        {
            throw context.Fail("the zip archive has no <archive>/data.pkl entry; it is not a torch.save file.");
        }

        var bigEndian = false;
        if (entries.TryGetValue(prefix + "byteorder", out var byteOrderEntry))
        {
            var byteOrder = zip.ReadEntry(byteOrderEntry, maxLength: 16);
            bigEndian = Encoding.ASCII.GetString(byteOrder) switch
            {
                "little" => false,
                "big" => true,
                _ => throw context.Fail("the byteorder entry is neither 'little' nor 'big'."),
            };
        }

        var pickle = zip.ReadEntry(entries[prefix + PickleName], maxLength: int.MaxValue);
        var storages = new TorchStorageTable(context, context.Limits.MaxUncompressedBytes, nameof(WeightReaderLimits.MaxUncompressedBytes), allowViews: false);
        var unpickler = new SafeUnpickler(pickle, 0, pickle.Length, context, storages.Load);
        var root = unpickler.Load();

        foreach (var storage in storages.Roots)
        {
            if (!entries.TryGetValue(prefix + "data/" + storage.Key, out var entry))
            {
                throw context.Fail($"storage {WeightReadContext.Quote(storage.Key)} has no entry {WeightReadContext.Quote(prefix + "data/" + storage.Key)} in the zip archive.");
            }

            if (entry.Length != storage.ByteLength)
            {
                throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"storage entry {WeightReadContext.Quote(entry.FullName)} holds {entry.Length} bytes, but the pickle declares {storage.ByteLength}."));
            }

            storage.SetData(zip.ReadEntry(entry, maxLength: (int)storage.ByteLength), 0);
        }

        return StateDict.Extract(root, bigEndian, context);
    }

    /// <summary>
    /// Wraps <see cref="ZipArchive"/>: turns its exceptions about malformed archives into
    /// <see cref="WeightFormatException"/> and bounds what entries may expand to.
    /// </summary>
    private sealed class ZipReader
    {
        private readonly byte[] _file;
        private readonly WeightReadContext _context;
        private long _uncompressedBudget;

        public ZipReader(byte[] file, WeightReadContext context)
        {
            _file = file;
            _context = context;
            _uncompressedBudget = context.Limits.MaxUncompressedBytes;
        }

        public ZipArchive Open()
            => Guarded(() => new ZipArchive(new MemoryStream(_file, writable: false), ZipArchiveMode.Read), "the zip archive cannot be opened");

        public Dictionary<string, ZipArchiveEntry> IndexEntries(ZipArchive archive)
            => Guarded(
                () =>
                {
                    var entries = archive.Entries;
                    if (entries.Count > _context.Limits.MaxTensorCount + ExtraEntries)
                    {
                        throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"the zip archive has {entries.Count} entries, more than {_context.Limits.MaxTensorCount} tensors need."));
                    }

                    var index = new Dictionary<string, ZipArchiveEntry>(entries.Count, StringComparer.Ordinal);
                    foreach (var entry in entries)
                    {
                        if (!index.TryAdd(entry.FullName, entry))
                        {
                            throw _context.Fail($"the zip archive holds entry {WeightReadContext.Quote(entry.FullName)} twice.");
                        }
                    }

                    return index;
                },
                "the zip archive's directory is malformed");

        /// <summary>
        /// Reads an entry whose declared size is at most <paramref name="maxLength"/> and the remaining budget, and
        /// checks that it expands to exactly that size (reading stops one byte past it).
        /// </summary>
        public byte[] ReadEntry(ZipArchiveEntry entry, int maxLength)
            => Guarded(
                () =>
                {
                    var declared = entry.Length;
                    if (declared < 0 || declared > maxLength || declared > int.MaxValue)
                    {
                        throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"zip entry {WeightReadContext.Quote(entry.FullName)} declares {declared} bytes, more than expected."));
                    }

                    if (declared > _uncompressedBudget)
                    {
                        throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"zip entry {WeightReadContext.Quote(entry.FullName)} would expand the archive beyond {_context.Limits.MaxUncompressedBytes} bytes (limit MaxUncompressedBytes)."));
                    }

                    var expansion = (MaxArchiveExpansion * _file.Length) + ExpansionAllowance;
                    if (_context.Limits.MaxUncompressedBytes - _uncompressedBudget + declared > expansion)
                    {
                        throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"zip entry {WeightReadContext.Quote(entry.FullName)} would expand the archive's {_file.Length} bytes beyond {expansion} ({MaxArchiveExpansion} times their length and 1 MiB; torch.save stores entries uncompressed)."));
                    }

                    // DEFLATE expands at most about 1032:1; a stored entry not at all. Checked before anything is allocated.
                    var compressed = entry.CompressedLength;
                    if (compressed < 0 || compressed > _file.Length || declared > (compressed * MaxDeflateRatio) + 64)
                    {
                        throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"zip entry {WeightReadContext.Quote(entry.FullName)} declares {declared} bytes from {compressed} compressed bytes in a file of {_file.Length} bytes."));
                    }

                    _uncompressedBudget -= declared;
                    var buffer = new byte[declared];
                    using var stream = entry.Open();
                    var read = 0;
                    while (read < buffer.Length)
                    {
                        // In chunks, so that cancellation is looked at every MiB of an entry that may expand to 64 MiB.
                        _context.CancellationToken.ThrowIfCancellationRequested();
                        var n = stream.Read(buffer, read, Math.Min(buffer.Length - read, InflateChunk));
                        if (n == 0)
                        {
                            throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"zip entry {WeightReadContext.Quote(entry.FullName)} ends after {read} of its {declared} bytes."));
                        }

                        read += n;
                    }

                    if (stream.ReadByte() >= 0)
                    {
                        throw _context.Fail($"zip entry {WeightReadContext.Quote(entry.FullName)} expands beyond its declared {declared} bytes.");
                    }

                    return buffer;
                },
                $"zip entry {WeightReadContext.Quote(entry.FullName)} cannot be read");

        /// <summary>
        /// Runs a <see cref="ZipArchive"/> operation. The archive code parses the hostile bytes, so whatever it throws
        /// (InvalidDataException, IOException, NotSupportedException for unknown methods, ...) is a malformed file; a
        /// cancellation stays a cancellation.
        /// </summary>
        private T Guarded<T>(Func<T> action, string problem)
        {
            try
            {
                return action();
            }
            catch (Exception ex) when (ex is not WeightFormatException and not OperationCanceledException and not OutOfMemoryException and not StackOverflowException)
            {
                throw _context.Fail($"{problem} ({ex.GetType().Name}: {ex.Message}).", ex);
            }
        }
    }
}
