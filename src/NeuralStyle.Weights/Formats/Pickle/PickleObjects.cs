using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

namespace NeuralStyle.Weights.Pickle;

// The values the safe unpickler builds. Scalars are plain .NET values: bool, long, BigInteger, double, string and
// byte[]; Python's None is PickleNone.Instance. Nothing here runs code or names a .NET type from the file.

/// <summary>Python's <c>None</c>.</summary>
internal sealed class PickleNone
{
    public static readonly PickleNone Instance = new();

    private PickleNone()
    {
    }

    public override string ToString() => "None";
}

/// <summary>
/// A tuple, list or dict, with the depth of nesting below it (1 for a container of scalars). A container is sealed once
/// it is put inside another one and cannot change after that, so the depth recorded when it was put there stays true
/// (nesting cannot be built inside-out through the memo) and no container can hold itself, directly or not.
/// </summary>
internal abstract class PickleContainer
{
    public int Depth { get; protected set; } = 1;

    /// <summary>Gets a value indicating whether the container is inside another one, and so can no longer change.</summary>
    public bool IsSealed { get; private set; }

    public static int DepthOf(object value) => value is PickleContainer c ? c.Depth : 0;

    /// <summary>Seals <paramref name="child"/> (if it is a container) as it goes into this one; returns its depth.</summary>
    protected static int Adopt(object child)
    {
        if (child is not PickleContainer container)
        {
            return 0;
        }

        container.IsSealed = true;
        return container.Depth;
    }
}

internal sealed class PickleTuple : PickleContainer
{
    public static readonly PickleTuple Empty = new(Array.Empty<object>());

    public PickleTuple(object[] items)
    {
        Items = items;
        foreach (var item in items)
        {
            Depth = Math.Max(Depth, Adopt(item) + 1);
        }
    }

    public IReadOnlyList<object> Items { get; }

    public int Count => Items.Count;

    public object this[int index] => Items[index];
}

internal sealed class PickleList : PickleContainer
{
    /// <summary>The items, allocated at the first append: a file can make millions of empty lists, each one object.</summary>
    private List<object>? _items;

    public IReadOnlyList<object> Items => (IReadOnlyList<object>?)_items ?? Array.Empty<object>();

    /// <summary>Appends items; returns the new depth so the caller can check it against the limit.</summary>
    public int AddRange(ReadOnlySpan<object> items)
    {
        _items ??= new List<object>(items.Length);
        _items.AddRange(items);
        foreach (var item in items)
        {
            Depth = Math.Max(Depth, Adopt(item) + 1);
        }

        return Depth;
    }
}

/// <summary>
/// An insertion-ordered dictionary with scalar keys (str, int, bool, float, None), like Python's dict. Only string keys
/// are looked up (a state dict's names, <c>state_dict</c>, <c>little_endian</c>), so only they are indexed, by .NET's
/// ordinal string hashing, which falls back to a randomly seeded hash when a file makes keys collide. Other keys are
/// kept in order and never hashed or compared: a file cannot choose them to make the parse slow (a repeated one appears
/// twice in <see cref="Entries"/>; nothing reads their values except to refuse tensors under them). The entries and the
/// index are allocated when first needed, so that an empty dict is one small object.
/// </summary>
internal sealed class PickleDict : PickleContainer
{
    private List<KeyValuePair<object, object>>? _entries;
    private Dictionary<string, int>? _index;

    public IReadOnlyList<KeyValuePair<object, object>> Entries
        => (IReadOnlyList<KeyValuePair<object, object>>?)_entries ?? Array.Empty<KeyValuePair<object, object>>();

    public int Count => _entries?.Count ?? 0;

    /// <summary>Gets the number of keys in the lookup index: the distinct string keys.</summary>
    public int IndexedKeys => _index?.Count ?? 0;

    /// <summary>Whether a value can be a key here; containers, bytes and other objects cannot.</summary>
    public static bool IsSupportedKey(object key)
        => key is string or long or bool or double or System.Numerics.BigInteger or PickleNone;

    /// <summary>Makes room for <paramref name="count"/> more entries, so that a batch of them is stored without regrowing.</summary>
    public void Reserve(int count)
    {
        _entries ??= new List<KeyValuePair<object, object>>(count);
        _entries.EnsureCapacity(_entries.Count + count);
    }

    /// <summary>Sets a key (which <see cref="IsSupportedKey"/> accepts); returns the new depth.</summary>
    public int Set(object key, object value)
    {
        _entries ??= new List<KeyValuePair<object, object>>();
        if (key is string name)
        {
            _index ??= new Dictionary<string, int>(StringComparer.Ordinal);
            ref var at = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, name, out var exists);
            if (exists)
            {
                _entries[at] = new(key, value);
            }
            else
            {
                at = _entries.Count;
                _entries.Add(new(key, value));
            }
        }
        else
        {
            _entries.Add(new(key, value));
        }

        Depth = Math.Max(Depth, Adopt(value) + 1);
        return Depth;
    }

    public bool TryGetValue(string key, out object value)
    {
        if (_index is not null && _entries is not null && _index.TryGetValue(key, out var at))
        {
            value = _entries[at].Value;
            return true;
        }

        value = PickleNone.Instance;
        return false;
    }
}

/// <summary>The globals a state dict may name; each maps to a fixed C# handler, nothing is looked up by name.</summary>
internal enum PickleGlobalKind
{
    OrderedDict,
    RebuildTensor,
    RebuildTensorV2,
    RebuildParameter,
    RebuildParameterWithState,
    RebuildFromTypeV2,
    TensorType,
    ParameterType,
    FloatStorage,
    HalfStorage,
    BFloat16Storage,
    DoubleStorage,
}

/// <summary>A global from the allow-list.</summary>
internal sealed class PickleGlobal
{
    private static readonly Dictionary<string, PickleGlobalKind> AllowList = new(StringComparer.Ordinal)
    {
        ["collections.OrderedDict"] = PickleGlobalKind.OrderedDict,
        ["torch._utils._rebuild_tensor"] = PickleGlobalKind.RebuildTensor,
        ["torch._utils._rebuild_tensor_v2"] = PickleGlobalKind.RebuildTensorV2,
        ["torch._utils._rebuild_parameter"] = PickleGlobalKind.RebuildParameter,
        ["torch._utils._rebuild_parameter_with_state"] = PickleGlobalKind.RebuildParameterWithState,
        ["torch._tensor._rebuild_from_type_v2"] = PickleGlobalKind.RebuildFromTypeV2,
        ["torch.Tensor"] = PickleGlobalKind.TensorType,
        ["torch.nn.parameter.Parameter"] = PickleGlobalKind.ParameterType,
        ["torch.FloatStorage"] = PickleGlobalKind.FloatStorage,
        ["torch.HalfStorage"] = PickleGlobalKind.HalfStorage,
        ["torch.BFloat16Storage"] = PickleGlobalKind.BFloat16Storage,
        ["torch.DoubleStorage"] = PickleGlobalKind.DoubleStorage,
    };

    /// <summary>One instance per allowed global, shared by every reference to it.</summary>
    private static readonly Dictionary<string, PickleGlobal> Instances = AllowList.ToDictionary(p => p.Key, p => new PickleGlobal(p.Key, p.Value), StringComparer.Ordinal);

    private PickleGlobal(string name, PickleGlobalKind kind)
    {
        Name = name;
        Kind = kind;
    }

    /// <summary>Gets the dotted name, for example <c>torch._utils._rebuild_tensor_v2</c>.</summary>
    public string Name { get; }

    public PickleGlobalKind Kind { get; }

    /// <summary>The element type of a storage global, or null for other globals.</summary>
    public TensorDType? StorageDType => Kind switch
    {
        PickleGlobalKind.FloatStorage => TensorDType.Float32,
        PickleGlobalKind.HalfStorage => TensorDType.Float16,
        PickleGlobalKind.BFloat16Storage => TensorDType.BFloat16,
        PickleGlobalKind.DoubleStorage => TensorDType.Float64,
        _ => null,
    };

    public static bool TryResolve(string module, string name, out PickleGlobal? global)
    {
        var full = module + "." + name;
        global = Instances.TryGetValue(full, out var known) ? known : null;
        return global is not null;
    }

    public override string ToString() => Name;
}
