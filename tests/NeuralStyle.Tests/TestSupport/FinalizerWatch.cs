using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// Counts, by type, the objects the garbage collector finalises while it is alive: the runtime's <c>FinalizeObject</c>
/// event (GC keyword, verbose level) names each object's type. An object that reaches its finalizer was not disposed, so
/// for TorchSharp's <see cref="TorchSharp.Scalar"/> and tensors it shows native memory left to the garbage collector.
/// The count is process-wide: use it in <see cref="SoloTests"/>.
/// </summary>
public sealed class FinalizerWatch : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly Dictionary<IntPtr, int> _byType = [];
    private readonly Lock _lock = new();
    private readonly IntPtr _sentinelType = typeof(Sentinel).TypeHandle.Value;
    private int _sentinels;

    /// <summary>Collects until every object that became unreachable before the call has been finalised and its event seen; then returns the counts so far.</summary>
    /// <returns>The number of finalised objects per type name.</returns>
    public IReadOnlyDictionary<string, int> Collect()
    {
        var before = Volatile.Read(ref _sentinels);
        DropSentinel();
        for (var attempt = 0; attempt < 200 && Volatile.Read(ref _sentinels) == before; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(50);
        }

        if (Volatile.Read(ref _sentinels) == before)
        {
            throw new InvalidOperationException("The runtime's FinalizeObject events did not arrive within 10 s.");
        }

        lock (_lock)
        {
            return _byType.Where(p => p.Key != _sentinelType).ToDictionary(p => Name(p.Key), p => p.Value);
        }
    }

    /// <summary>Forgets the counts so far (after <see cref="Collect"/>, so that earlier garbage is not counted).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _byType.Clear();
        }
    }

    /// <inheritdoc/>
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    /// <inheritdoc/>
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "FinalizeObject" || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        if (eventData.Payload[eventData.PayloadNames.IndexOf("TypeID")] is not IntPtr type)
        {
            return;
        }

        lock (_lock)
        {
            _byType[type] = _byType.GetValueOrDefault(type) + 1;
            if (type == _sentinelType)
            {
                _sentinels++;
            }
        }
    }

    private static string Name(IntPtr typeId)
    {
        try
        {
            return Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(typeId))?.FullName ?? $"type {typeId}";
        }
        catch (ArgumentException)
        {
            return $"type {typeId}";
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropSentinel() => _ = new Sentinel();

    private sealed class Sentinel
    {
        private static int _finalised;

        ~Sentinel() => Interlocked.Increment(ref _finalised);
    }
}
