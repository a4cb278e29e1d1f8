using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

public sealed class BoundedCacheTests
{
    [Fact]
    public void The_least_recently_used_entry_goes_first_once_the_count_is_reached()
    {
        var created = new List<int>();
        var cache = new BoundedCache<int, string>(maxEntries: 2, maxBytes: long.MaxValue, (_, _) => 1);
        string Get(int key) => cache.GetOrAdd(key, k => { created.Add(k); return k.ToString(System.Globalization.CultureInfo.InvariantCulture); }, CancellationToken.None);

        Get(1);
        Get(2);
        Get(1); // 2 is now the least recently used
        Get(3);
        Get(1);
        Get(2);

        created.Should().Equal(1, 2, 3, 2);
        cache.Count.Should().Be(2);
    }

    [Fact]
    public void The_count_holds_while_a_creation_is_in_flight()
    {
        var cache = new BoundedCache<int, string>(maxEntries: 2, maxBytes: long.MaxValue, (_, _) => 1);
        cache.GetOrAdd(1, _ => "one", CancellationToken.None);
        cache.GetOrAdd(2, _ => "two", CancellationToken.None);
        var seen = -1;

        var value = cache.GetOrAdd(3, _ => { seen = cache.Count; return "three"; }, CancellationToken.None);

        value.Should().Be("three");
        seen.Should().Be(2, "the least recently used entry makes room before the new one is created");
        cache.Count.Should().Be(2);
        cache.GetOrAdd(2, _ => "created again", CancellationToken.None).Should().Be("two");
    }

    [Fact]
    public void An_entry_evicted_while_being_created_still_reaches_its_caller()
    {
        var cache = new BoundedCache<int, string>(maxEntries: 1, maxBytes: long.MaxValue, (_, _) => 1);
        string? inner = null;

        var outer = cache.GetOrAdd(1, _ => { inner = cache.GetOrAdd(2, _ => "two", CancellationToken.None); return "one"; }, CancellationToken.None);

        outer.Should().Be("one");
        inner.Should().Be("two");
        cache.Count.Should().Be(1);
        cache.GetOrAdd(2, _ => "created again", CancellationToken.None).Should().Be("two");
    }

    [Fact]
    public void Entries_are_evicted_by_bytes_but_the_newest_always_stays()
    {
        var cache = new BoundedCache<int, byte[]>(maxEntries: 100, maxBytes: 250, (_, value) => value.Length);

        for (var i = 0; i < 10; i++)
        {
            cache.GetOrAdd(i, _ => new byte[100], CancellationToken.None);
        }

        cache.Count.Should().Be(2);
        cache.GetOrAdd(99, _ => new byte[1000], CancellationToken.None).Length.Should().Be(1000);
        cache.Count.Should().Be(1);
    }

    [Fact]
    public void A_failed_creation_is_not_kept()
    {
        var cache = new BoundedCache<int, string>(4, long.MaxValue, (_, _) => 1);

        FluentActions.Invoking(() => cache.GetOrAdd(1, _ => throw new IOException("boom"), CancellationToken.None)).Should().Throw<IOException>();

        cache.Count.Should().Be(0);
        cache.GetOrAdd(1, _ => "fixed", CancellationToken.None).Should().Be("fixed");
    }

    [Fact]
    public void A_caller_whose_token_is_not_cancelled_retries_after_another_callers_cancelled_creation()
    {
        var cache = new BoundedCache<int, string>(4, long.MaxValue, (_, _) => 1);
        var attempts = 0;

        var value = cache.GetOrAdd(1, _ => ++attempts == 1 ? throw new OperationCanceledException() : "second", CancellationToken.None);

        value.Should().Be("second");
        attempts.Should().Be(2);
    }

    [Fact]
    public void Parsed_weight_files_are_bounded_however_often_a_file_changes()
    {
        using var folder = new TempFolder();
        var path = folder.File("w.safetensors");
        File.WriteAllBytes(path, Seeds.SafeTensors());
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        for (var i = 0; i < 3 * WeightCache.MaxEntries; i++)
        {
            File.SetLastWriteTimeUtc(path, start.AddMinutes(i)); // a new key each time, as `touch` makes
            WeightCache.Get(path).Should().NotBeEmpty();
            WeightCache.Count.Should().BeLessThanOrEqualTo(WeightCache.MaxEntries);
        }
    }
}
