using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Features;
using Xunit;

namespace NeuralStyle.Tests.Features;

public class TileRangeTests
{
    [Theory]
    [InlineData(5, 13, 4, 2)]
    [InlineData(5, 13, 4, 3)]
    [InlineData(47, 63, 16, 2)]
    [InlineData(23, 31, 8, 2)]
    [InlineData(2, 3, 4, 5)]
    [InlineData(1, 16, 16, 1)]
    public void Ranges_cut_from_a_map_cover_each_position_once_in_whole_tiles_and_differ_by_at_most_a_tile(int height, int width, int positions, int parts)
    {
        var count = TileRange.Count(height, width, positions);
        count.Should().Be(height * ((width + positions - 1) / positions));
        var covered = new int[height * width];
        var sizes = new List<long>();
        for (var part = 0; part < parts; part++)
        {
            // Cut as the team cuts: tile k·count/parts onwards.
            long first = count * part / parts, end = count * (part + 1) / parts;
            var range = new TileRange(width, positions, first, end);
            range.IsEmpty.Should().Be(end == first);
            sizes.Add(end - first);
            for (var y = range.FirstRow; y < range.EndRow; y++)
            {
                long from = range.From(y), to = range.To(y);
                (from % positions).Should().Be(0, "a tile starts where a split by rows starts it");
                (to == width || to % positions == 0).Should().BeTrue();
                for (var x = from; x < to; x++)
                {
                    covered[(y * width) + x]++;
                }
            }
        }

        covered.Should().OnlyContain(c => c == 1);
        (sizes.Max() - sizes.Min()).Should().BeLessThanOrEqualTo(1);
    }

    [Fact]
    public void A_range_within_one_row_reaches_that_row_alone()
    {
        // Width 10 in tiles of 4: tiles 0–2 in row 0, 3–5 in row 1; tiles [4, 6) are row 1's positions 4–9.
        var range = new TileRange(10, 4, 4, 6);
        range.FirstRow.Should().Be(1);
        range.EndRow.Should().Be(2);
        range.From(1).Should().Be(4);
        range.To(1).Should().Be(10);
    }
}
