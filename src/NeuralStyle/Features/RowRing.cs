using System;
using System.Runtime.InteropServices;

namespace NeuralStyle.Features;

/// <summary>
/// Three rows of a channels-last map in turn (rows y − 1, y and y + 1; row y in slot (y + 1) mod 3), each with a zero
/// position at either end — a 3×3 kernel's padding —, then zeros for a tile's overrun past the last slot and, where asked,
/// room for other scratch: the working rows of the Fire modules' kernels, in native memory of their own for each range of
/// rows they run (a few hundred KB at most, so they stay in cache).
/// </summary>
internal readonly unsafe struct RowRing : IDisposable
{
    private readonly float* _memory;
    private readonly int _channels;

    /// <summary>Initializes a new instance of the <see cref="RowRing"/> struct.</summary>
    /// <param name="width">The map's positions per row.</param>
    /// <param name="channels">The channels per position.</param>
    /// <param name="scratch">Floats of other scratch after the rows and their overrun.</param>
    public RowRing(long width, int channels, long scratch)
    {
        _channels = channels;
        RowLength = (width + 2) * channels;
        var overrun = (SqueezedTile.MaxPositions + 2) * (long)channels;
        _memory = (float*)NativeMemory.AlignedAlloc((nuint)(((3 * RowLength) + overrun + scratch) * sizeof(float)), 64);
        new Span<float>(_memory + (3 * RowLength), (int)(overrun + scratch)).Clear();
        Scratch = _memory + (3 * RowLength) + overrun;
    }

    /// <summary>Gets the floats of a row with its zero ends.</summary>
    public long RowLength { get; }

    /// <summary>Gets the other scratch.</summary>
    public float* Scratch { get; }

    /// <summary>Where row <paramref name="y"/> (−1 to H) is kept, from the zero at its start.</summary>
    /// <param name="y">The row.</param>
    public float* Slot(long y) => _memory + (((y + 1) % 3) * RowLength);

    /// <summary>
    /// Readies row <paramref name="y"/>'s slot to be written: all zeros where the row is outside the map (and null
    /// returned), else zeros at both ends and its first position returned.
    /// </summary>
    /// <param name="y">The row.</param>
    /// <param name="height">The map's rows.</param>
    public float* Open(long y, long height)
    {
        var slot = Slot(y);
        if (y < 0 || y >= height)
        {
            new Span<float>(slot, (int)RowLength).Clear();
            return null;
        }

        new Span<float>(slot, _channels).Clear();
        new Span<float>(slot + RowLength - _channels, _channels).Clear();
        return slot + _channels;
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose() => NativeMemory.AlignedFree(_memory);
}
