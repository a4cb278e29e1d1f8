using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Hosting;

namespace NeuralStyle.Orleans.Execution;

/// <summary>
/// A silo's job slots: at most <see cref="NeuralStyleServiceOptions.Capacity"/> jobs run at once; waiting jobs are served
/// in turn across clients (round robin over owners, first come first served within one owner), so that one client's
/// hundred jobs do not hold back another client's one. Disposing it (the silo stopping) cancels every job it runs.
/// </summary>
internal sealed class JobSlots : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedList<Waiter>> _waiting = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _turns = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<string> _completed = new();
    private int _running;
    private int _peak;

    public JobSlots(IOptions<NeuralStyleServiceOptions> options)
    {
        Capacity = options.Value.Capacity;
    }

    /// <summary>Gets the number of jobs this silo runs at once.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of jobs running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Gets the most jobs that ran at once since the silo started.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Gets the number of jobs waiting for a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var queue in _waiting.Values)
                {
                    count += queue.Count;
                }

                return count;
            }
        }
    }

    /// <summary>Gets the ids of the jobs that finished on this silo (their result written), in order.</summary>
    public IReadOnlyCollection<string> Completed => _completed;

    /// <summary>Gets a token cancelled when the silo stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Waits for a slot; dispose the returned lease to free it.</summary>
    public Task<IDisposable> AcquireAsync(string owner, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running < Capacity && _turns.Count == 0)
            {
                return Task.FromResult<IDisposable>(Start());
            }

            var waiter = new Waiter(owner);
            if (!_waiting.TryGetValue(owner, out var queue))
            {
                queue = new LinkedList<Waiter>();
                _waiting[owner] = queue;
                _turns.AddLast(owner);
            }

            waiter.Node = queue.AddLast(waiter);
            waiter.Registration = cancellationToken.Register(() => Abandon(waiter));
            return waiter.Task.Task;
        }
    }

    /// <summary>Records that a job's result was written on this silo.</summary>
    public void RecordCompleted(string jobId) => _completed.Enqueue(jobId);

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Lease Start()
    {
        _running++;
        _peak = Math.Max(_peak, _running);
        return new Lease(this);
    }

    private void Release()
    {
        Waiter? next = null;
        lock (_gate)
        {
            _running--;
            if (_turns.First is { } turn)
            {
                // The owner whose turn it is gets the slot and goes to the back of the line.
                var owner = turn.Value;
                _turns.RemoveFirst();
                var queue = _waiting[owner];
                next = queue.First!.Value;
                queue.RemoveFirst();
                if (queue.Count > 0)
                {
                    _turns.AddLast(owner);
                }
                else
                {
                    _waiting.Remove(owner);
                }

                Start();
            }
        }

        if (next is not null)
        {
            next.Registration.Dispose();
            if (!next.Task.TrySetResult(new Lease(this)))
            {
                // Cancelled meanwhile: pass the slot on.
                Release();
            }
        }
    }

    private void Abandon(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is { } queue)
            {
                queue.Remove(waiter.Node);
                if (queue.Count == 0)
                {
                    _waiting.Remove(waiter.Owner);
                    _turns.Remove(waiter.Owner);
                }
            }
        }

        waiter.Task.TrySetCanceled();
    }

    private sealed class Waiter(string owner)
    {
        public string Owner { get; } = owner;

        public TaskCompletionSource<IDisposable> Task { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(JobSlots slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
