using System;
using System.Collections.Generic;
using System.Threading;

namespace NeuralStyle.Weights;

/// <summary>
/// A thread-safe cache bounded by entry count and by a size in bytes, evicting the least recently used entries first.
/// Concurrent callers of one key share one creation; a creation that fails is not kept, and a caller whose own token is
/// not cancelled retries when another caller's creation was cancelled. The entry count never exceeds its bound, even
/// while creations are in flight (an entry being created counts, and may itself be evicted by newer ones: its caller
/// still gets its value). Evicted values that are
/// <see cref="IDisposable"/> are not disposed: callers may still hold them.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly Func<TKey, TValue, long> _sizeOf;
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _index = new();
    private readonly LinkedList<Entry> _recency = new();
    private readonly object _gate = new();
    private long _bytes;

    public BoundedCache(int maxEntries, long maxBytes, Func<TKey, TValue, long> sizeOf)
    {
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _sizeOf = sizeOf;
    }

    /// <summary>Gets the number of entries kept (created or being created).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Entry entry;
            lock (_gate)
            {
                if (_index.TryGetValue(key, out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    entry = node.Value;
                }
                else
                {
                    entry = new Entry(key, new Lazy<TValue>(() => create(key), LazyThreadSafetyMode.ExecutionAndPublication));
                    _index.Add(key, _recency.AddFirst(entry));
                    Trim(entry); // The count holds while creations are in flight, not only once they end.
                }
            }

            TValue value;
            try
            {
                value = entry.Value.Value;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Remove(entry);
                continue; // Another caller's cancelled creation: ours starts afresh.
            }
            catch
            {
                Remove(entry);
                throw;
            }

            lock (_gate)
            {
                if (entry.Bytes < 0 && _index.TryGetValue(key, out var node) && ReferenceEquals(node.Value, entry))
                {
                    entry.Bytes = _sizeOf(key, value);
                    _bytes += entry.Bytes;
                    Trim(entry);
                }
            }

            return value;
        }
    }

    /// <summary>Evicts least recently used entries until both bounds hold; <paramref name="keep"/> (the newest) always stays.</summary>
    private void Trim(Entry keep)
    {
        var node = _recency.Last;
        while (node is not null && (_index.Count > _maxEntries || _bytes > _maxBytes))
        {
            var previous = node.Previous;
            if (!ReferenceEquals(node.Value, keep))
            {
                _recency.Remove(node);
                _index.Remove(node.Value.Key);
                _bytes -= Math.Max(0, node.Value.Bytes);
            }

            node = previous;
        }
    }

    private void Remove(Entry entry)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(entry.Key, out var node) && ReferenceEquals(node.Value, entry))
            {
                _recency.Remove(node);
                _index.Remove(entry.Key);
                _bytes -= Math.Max(0, entry.Bytes);
            }
        }
    }

    private sealed class Entry(TKey key, Lazy<TValue> value)
    {
        public TKey Key { get; } = key;

        public Lazy<TValue> Value { get; } = value;

        /// <summary>The size once created; -1 while being created.</summary>
        public long Bytes { get; set; } = -1;
    }
}
