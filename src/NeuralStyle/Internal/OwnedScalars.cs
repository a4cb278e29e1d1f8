using System;
using System.Collections.Generic;
using TorchSharp;

namespace NeuralStyle.Internal;

/// <summary>
/// The numbers that one owner (a loss, an optimisation run, an optimiser) passes to TorchSharp, each made into a native
/// scalar once and disposed with the owner.
/// </summary>
/// <remarks>
/// <para>TorchSharp converts a number passed where it takes a <see cref="Scalar"/> (<c>t.mul(2.0)</c>, <c>t.add(u)</c> with
/// its default <c>alpha</c> of 1, <c>clamp(min, max)</c>) into a fresh native scalar whose wrapper is freed only by its
/// finalizer. The wrapper is unreachable as soon as its handle has been read, so a garbage collection during the native
/// call can free the scalar while libtorch still reads it (seen as libtorch's <c>Scalar.toFloat</c> check failing on
/// garbage), and the small native blocks left to the finalizer split the heap between the iterations' feature maps
/// (see docs/performance.md). Every number the library passes therefore comes from here: a value fixed for the owner's
/// lifetime from an instance, the <c>alpha</c> of a plain addition from <see cref="One"/>, a square's exponent from
/// <see cref="Two"/>, and a value that changes at every step (a step length, a bias correction) from
/// <c>using var s = value.ToScalar();</c> around the call. tests/NeuralStyle.Tests/Internal/ScalarOwnershipTests.cs
/// finds any other.</para>
/// <para>Thread-safe; the scalars are read-only once made.</para>
/// </remarks>
internal sealed class OwnedScalars : IDisposable
{
    private readonly Dictionary<double, Scalar> _byValue = [];
    private readonly object _lock = new();
    private bool _disposed;

    /// <summary>Gets the integer 0 (the lower end of <c>clamp(Zero, One)</c>), for the process's lifetime.</summary>
    public static Scalar Zero { get; } = 0.ToScalar();

    /// <summary>Gets the integer 1, the <c>alpha</c> of a plain addition (<c>t.add(u, OwnedScalars.One)</c>), for the process's lifetime.</summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary>Gets the integer 2, the exponent of a square (<c>t.pow(OwnedScalars.Two)</c>: TorchSharp's <c>square()</c> converts it afresh at each call), for the process's lifetime.</summary>
    public static Scalar Two { get; } = 2.ToScalar();

    /// <summary>Gets the scalar of <paramref name="value"/> (a double), made at the first request and disposed with this set.</summary>
    /// <param name="value">The number.</param>
    /// <returns>A scalar that stays valid until <see cref="Dispose"/>; the caller must not dispose it.</returns>
    public Scalar this[double value]
    {
        get
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_byValue.TryGetValue(value, out var scalar))
                {
                    scalar = value.ToScalar();
                    _byValue.Add(value, scalar);
                }

                return scalar;
            }
        }
    }

    /// <summary>Disposes every scalar made.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var scalar in _byValue.Values)
            {
                scalar.Dispose();
            }

            _byValue.Clear();
        }
    }
}
