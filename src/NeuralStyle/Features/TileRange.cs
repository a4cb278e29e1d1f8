using System;

namespace NeuralStyle.Features;

/// <summary>
/// A range [first, end) of a map's tiles in row-major order, each tile a run of up to <c>positions</c> positions of one
/// row starting at a multiple of <c>positions</c> (a row's last tile may be shorter): how the Fire modules' kernels split
/// a map between threads. Finer than whole rows, so that two threads' shares differ by one tile, not by a row of a map
/// whose rows do not halve; and each tile is where a split by rows puts it, so results do not depend on the split.
/// </summary>
/// <param name="width">The map's positions per row.</param>
/// <param name="positions">The positions of a tile.</param>
/// <param name="first">The first tile.</param>
/// <param name="end">The tile after the last.</param>
internal readonly struct TileRange(long width, int positions, long first, long end)
{
    private readonly long _perRow = PerRow(width, positions);

    /// <summary>Gets a value indicating whether the range has no tile.</summary>
    public bool IsEmpty => end <= first;

    /// <summary>Gets the first row the range reaches into.</summary>
    public long FirstRow => first / _perRow;

    /// <summary>Gets the row after the last one the range reaches into (<see cref="FirstRow"/> where it is empty).</summary>
    public long EndRow => IsEmpty ? FirstRow : ((end - 1) / _perRow) + 1;

    /// <summary>The tiles of a map: <paramref name="height"/> rows of ⌈width / positions⌉.</summary>
    /// <param name="height">The map's rows.</param>
    /// <param name="width">The map's positions per row.</param>
    /// <param name="positions">The positions of a tile.</param>
    public static long Count(long height, long width, int positions) => height * PerRow(width, positions);

    /// <summary>The first position of row <paramref name="y"/> in the range (a row of the range: <see cref="FirstRow"/> ≤ y &lt; <see cref="EndRow"/>).</summary>
    /// <param name="y">The row.</param>
    public long From(long y) => y == FirstRow ? first % _perRow * positions : 0;

    /// <summary>The position after the last of row <paramref name="y"/> in the range.</summary>
    /// <param name="y">The row.</param>
    public long To(long y) => y == EndRow - 1 ? Math.Min(width, (((end - 1) % _perRow) + 1) * positions) : width;

    private static long PerRow(long width, int positions) => (width + positions - 1) / positions;
}
