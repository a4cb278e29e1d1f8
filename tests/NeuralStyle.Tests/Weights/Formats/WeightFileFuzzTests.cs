using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>
/// Seeded mutation fuzzing (issue requirement): for each format, 10,000 inputs derived from a small valid seed file must
/// either parse or throw <see cref="WeightFormatException"/>, each within 2 seconds. Iteration i uses
/// <c>new Random(seed * 1_000_003 + i)</c>, so a failure reproduces from the seed and iteration in its message.
/// Set <c>NEURALSTYLE_FUZZ_ITERATIONS</c> to run a longer campaign.
/// </summary>
public sealed class WeightFileFuzzTests
{
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("NEURALSTYLE_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 10_000;

    /// <summary>A generous bound that catches a hang, not slowness (a shared two-core machine varies); speed is measured by eng/adversarial.sh.</summary>
    private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public Task SafeTensors_mutations_parse_or_throw_WeightFormatException()
    {
        var seed = Seeds.SafeTensors();
        return Fuzz("safetensors", 0x5afe, (rng, log) => Mutator.SafeTensors(rng, seed, log));
    }

    [Fact(Timeout = 120_000)]
    public Task PyTorchZip_mutations_parse_or_throw_WeightFormatException()
    {
        var checkpoint = Seeds.Checkpoint();
        var pickle = checkpoint.StateDictPickle(legacyIds: false);
        var stored = checkpoint.ToZip();
        var deflated = TorchCheckpoint.Zip(
            checkpoint.Storages.Select(s => ("archive/data/" + s.Key, s.Data)).Prepend(("archive/data.pkl", pickle)),
            CompressionLevel.Optimal);
        return Fuzz("zip", 0x21b, (rng, log) =>
        {
            switch (rng.Next(5))
            {
                case 0:
                    log.Add("pickle");
                    return checkpoint.ToZip(pickleOverride: Mutator.Pickle(rng, pickle, log));
                case 1:
                    log.Add("stored zip bytes");
                    return Mutator.Bytes(rng, stored, log);
                case 2:
                    log.Add("deflated zip bytes");
                    return Mutator.Bytes(rng, deflated, log);
                case 3:
                {
                    // Declared sizes that disagree with the data.
                    var copy = (byte[])(rng.Next(2) == 0 ? stored : deflated).Clone();
                    var entry = rng.Next(4) == 0 ? "archive/data.pkl" : "archive/data/" + rng.Next(3);
                    var size = rng.Next(3) == 0 ? uint.MaxValue - (uint)rng.Next(4) : (uint)rng.Next(0, 100_000);
                    log.Add($"declare {entry} as {size} bytes");
                    TorchCheckpoint.PatchUncompressedSize(copy, entry, size);
                    return copy;
                }

                default:
                {
                    // Storage entries that are missing, short or long.
                    var entries = checkpoint.Storages.Select(s => ("archive/data/" + s.Key, s.Data)).ToList();
                    var victim = rng.Next(entries.Count);
                    var data = entries[victim].Data;
                    var length = rng.Next(3) switch { 0 => -1, 1 => rng.Next(data.Length), _ => data.Length + rng.Next(1, 9) };
                    log.Add($"storage {victim} length {length}");
                    if (length < 0)
                    {
                        entries.RemoveAt(victim);
                    }
                    else
                    {
                        entries[victim] = (entries[victim].Item1, data.Concat(new byte[8]).Take(length).ToArray());
                    }

                    return TorchCheckpoint.Zip(entries.Prepend(("archive/data.pkl", pickle)));
                }
            }
        });
    }

    [Fact(Timeout = 120_000)]
    public Task PyTorchLegacy_mutations_parse_or_throw_WeightFormatException()
    {
        var checkpoint = Seeds.Checkpoint(legacyView: true);
        var pickle = checkpoint.StateDictPickle(legacyIds: true);
        var file = checkpoint.ToLegacy();
        var keys = checkpoint.Storages.Select(s => s.Key).ToArray();
        return Fuzz("legacy", 0x1e6, (rng, log) =>
        {
            switch (rng.Next(4))
            {
                case 0:
                case 1:
                    log.Add("pickle");
                    return checkpoint.ToLegacy(pickleOverride: Mutator.Pickle(rng, pickle, log));
                case 2:
                    log.Add("file bytes");
                    return Mutator.Bytes(rng, file, log);
                default:
                {
                    // Storage key lists and element counts that disagree with the state dict.
                    var list = keys.Where(_ => rng.Next(5) != 0).Concat(keys.Where(_ => rng.Next(8) == 0)).OrderBy(_ => rng.Next()).ToArray();
                    var skew = rng.Next(-2, 3);
                    log.Add($"keys [{string.Join(",", list)}], count skew {skew}");
                    return checkpoint.ToLegacy(keyListOverride: list, countOf: s => s.Numel + (rng.Next(3) == 0 ? skew : 0));
                }
            }
        });
    }

    /// <summary>A refusal message without its file name, numbers and quoted names, to count kinds of refusal.</summary>
    private static string Reason(string message)
    {
        var text = message[(message.IndexOf(':', StringComparison.Ordinal) + 1)..];
        text = System.Text.RegularExpressions.Regex.Replace(text, "'[^']*'", "'…'");
        text = System.Text.RegularExpressions.Regex.Replace(text, "[0-9]+", "#");
        return text.Length > 110 ? text[..110] : text;
    }

    private static Task Fuzz(string format, int seed, Func<Random, List<string>, byte[]> mutate)
    {
        var cancellation = TestContext.Current.CancellationToken;
        return Task.Run(
            () =>
            {
                int parsed = 0, refused = 0;
                var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
                var slowest = TimeSpan.Zero;
                var total = Stopwatch.StartNew();
                for (var i = 0; i < Iterations; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var log = new List<string>();
                    var input = mutate(new Random(unchecked((seed * 1_000_003) + i)), log);
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        WeightFileReader.ReadBytes(input, $"fuzz-{format}-{i}", WeightReaderLimits.Default);
                        parsed++;
                    }
                    catch (WeightFormatException ex)
                    {
                        ex.Message.Should().Contain($"fuzz-{format}-{i}", "every message names its source");
                        refused++;
                        var reason = Reason(ex.Message);
                        reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    }
                    catch (Exception ex)
                    {
                        Assert.Fail($"{format} seed {seed} iteration {i} ({string.Join("; ", log)}): {ex.GetType().Name} escaped: {ex}\ninput: {Convert.ToBase64String(input.Length <= 4096 ? input : input[..4096])}");
                    }

                    watch.Stop();
                    slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
                    watch.Elapsed.Should().BeLessThan(PerInputLimit, $"{format} seed {seed} iteration {i} ({string.Join("; ", log)}) must not hang");
                }

                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"{format}: {Iterations} inputs in {total.Elapsed.TotalSeconds:F2} s ({parsed} parsed, {refused} refused, {reasons.Count} distinct reasons), slowest {slowest.TotalMilliseconds:F1} ms");
                foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(12))
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"  {count,6}  {reason}");
                }

                parsed.Should().BePositive("some mutations keep a file valid");
                refused.Should().BePositive();
            },
            cancellation);
    }
}
