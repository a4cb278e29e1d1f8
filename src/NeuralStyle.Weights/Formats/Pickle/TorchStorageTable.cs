using System;
using System.Collections.Generic;
using System.Globalization;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// Resolves persistent ids <c>('storage', storage_type, key, location, numel[, view_metadata])</c> to storages, one
/// per key, and checks that every use of a key agrees on type and size.
/// </summary>
internal sealed class TorchStorageTable
{
    private readonly WeightReadContext _context;
    private readonly long _maxStorageBytes;
    private readonly string _limitName;
    private readonly bool _allowViews;
    private readonly Dictionary<string, TorchStorage> _roots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TorchStorage> _views = new(StringComparer.Ordinal);

    /// <param name="context">The file's context.</param>
    /// <param name="maxStorageBytes">The most bytes one storage may have.</param>
    /// <param name="limitName">The name of the limit that <paramref name="maxStorageBytes"/> comes from, for messages.</param>
    /// <param name="allowViews">Whether persistent ids may carry view metadata (legacy files).</param>
    public TorchStorageTable(WeightReadContext context, long maxStorageBytes, string limitName, bool allowViews)
    {
        _context = context;
        _maxStorageBytes = Math.Min(maxStorageBytes, Array.MaxLength);
        _limitName = limitName;
        _allowViews = allowViews;
    }

    /// <summary>Gets the root storages in the order they were first named.</summary>
    public IReadOnlyCollection<TorchStorage> Roots => _roots.Values;

    public bool TryGetRoot(string key, out TorchStorage? storage) => _roots.TryGetValue(key, out storage);

    /// <summary>The persistent-load handler of the unpickler.</summary>
    public object Load(object persistentId)
    {
        if (persistentId is not PickleTuple { Count: 5 or 6 } id)
        {
            throw _context.Fail("a persistent id is not a ('storage', type, key, location, size) tuple.");
        }

        if (AsText(id[0]) != "storage")
        {
            throw _context.Fail("a persistent id does not name a storage.");
        }

        var dtype = id[1] is PickleGlobal g && g.StorageDType is { } t
            ? t
            : throw _context.Fail($"persistent id names storage type {PickleText.Describe(id[1])}, which is not a supported storage type.");
        var key = AsText(id[2]) ?? throw _context.Fail("a persistent id has a storage key that is not a string.");
        _ = AsText(id[3]) ?? throw _context.Fail($"storage {WeightReadContext.Quote(key)} has a location that is not a string.");
        var numel = id[4] is long n && n >= 0 ? n : throw _context.Fail($"storage {WeightReadContext.Quote(key)} has an invalid size {PickleText.Describe(id[4])}.");
        if (numel > _maxStorageBytes / TensorDTypes.ElementSize(dtype))
        {
            throw _context.Fail(string.Create(CultureInfo.InvariantCulture, $"storage {WeightReadContext.Quote(key)} declares {numel} elements, more bytes than {_maxStorageBytes} (limit {_limitName})."));
        }

        var root = GetOrAddRoot(key, dtype, numel);
        if (id.Count == 5 || id[5] is PickleNone)
        {
            return root;
        }

        if (!_allowViews)
        {
            throw _context.Fail($"storage {WeightReadContext.Quote(key)} has view metadata, which this format does not use.");
        }

        return GetOrAddView(root, id[5]);
    }

    private TorchStorage GetOrAddRoot(string key, TensorDType dtype, long numel)
    {
        if (_roots.TryGetValue(key, out var existing))
        {
            if (existing.DType != dtype || existing.Numel != numel)
            {
                throw _context.Fail($"storage {WeightReadContext.Quote(key)} is named twice with different types or sizes.");
            }

            return existing;
        }

        var root = TorchStorage.CreateRoot(key, dtype, numel);
        _roots.Add(key, root);
        return root;
    }

    private TorchStorage GetOrAddView(TorchStorage root, object metadata)
    {
        // view_metadata is (view_key, offset, view_size), offset and size in elements of the root.
        if (metadata is not PickleTuple { Count: 3 } view
            || AsText(view[0]) is not { } viewKey
            || view[1] is not long offset
            || view[2] is not long size
            || offset < 0 || size < 0 || offset > root.Numel || size > root.Numel - offset)
        {
            throw _context.Fail($"storage {WeightReadContext.Quote(root.Key)} has invalid view metadata.");
        }

        if (_views.TryGetValue(viewKey, out var existing))
        {
            if (existing.Root != root || existing.RootOffset != offset || existing.Numel != size)
            {
                throw _context.Fail($"storage view {WeightReadContext.Quote(viewKey)} is named twice with different extents.");
            }

            return existing;
        }

        var created = TorchStorage.CreateView(viewKey, root, offset, size);
        _views.Add(viewKey, created);
        return created;
    }

    private static string? AsText(object value) => value switch
    {
        string s => s,
        byte[] b when Array.TrueForAll(b, x => x < 0x80) => System.Text.Encoding.ASCII.GetString(b),
        _ => null,
    };
}
