using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NeuralStyle.Tests.Weights;

/// <summary>Seeded byte-, JSON- and pickle-level mutations for the weight reader fuzz tests.</summary>
internal static class Mutator
{
    private static readonly ulong[] InterestingValues =
    [
        0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffff8,
    ];

    private static readonly string[] JsonNumbers =
    [
        "0", "1", "-1", "3", "8", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "-9223372036854775808", "1e308", "2.5", "1e3", "00", "-0", "NaN", "null", "\"4\"", "[]", "{}",
    ];

    private static readonly string[] DTypes = ["F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "", "f32", "F32 ", "\\u0046\\u0033\\u0032", new string('F', 300)];

    /// <summary>Applies 1 to 3 random byte-level mutations.</summary>
    public static byte[] Bytes(Random rng, byte[] input, List<string> log)
    {
        var data = input;
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds; r++)
        {
            data = OneByteMutation(rng, data, log);
        }

        return data;
    }

    /// <summary>Byte mutations plus pickle-aware insertions: forbidden globals, deep nesting, huge lengths, stray opcodes.</summary>
    public static byte[] Pickle(Random rng, byte[] pickle, List<string> log)
    {
        if (rng.Next(3) == 0)
        {
            return Bytes(rng, pickle, log);
        }

        var snippet = PickleSnippet(rng, log);
        var at = rng.Next(pickle.Length + 1);
        log.Add($"insert pickle snippet at {at}");
        var result = pickle[..at].Concat(snippet).Concat(pickle[at..]).ToArray();
        return rng.Next(4) == 0 ? Bytes(rng, result, log) : result;
    }

    /// <summary>Mutations of a safetensors file: its header text (length kept consistent), its length field or its bytes.</summary>
    public static byte[] SafeTensors(Random rng, byte[] file, List<string> log)
    {
        switch (rng.Next(4))
        {
            case 0:
                return Bytes(rng, file, log);
            case 1:
                var length = InterestingValues[rng.Next(InterestingValues.Length)] + (ulong)rng.Next(-2, 3);
                log.Add($"header length := {length}");
                var copy = (byte[])file.Clone();
                BitConverter.GetBytes(length).CopyTo(copy, 0);
                return copy;
            default:
                var headerLength = (int)BitConverter.ToUInt64(file, 0);
                var header = Encoding.UTF8.GetString(file, 8, headerLength);
                var data = file[(8 + headerLength)..];
                var rounds = rng.Next(1, 3);
                for (var r = 0; r < rounds; r++)
                {
                    header = MutateJson(rng, header, log);
                }

                if (rng.Next(4) == 0)
                {
                    data = OneByteMutation(rng, data, log);
                }

                return SafeTensorsFile.Raw(header, data);
        }
    }

    private static string MutateJson(Random rng, string json, List<string> log)
    {
        switch (rng.Next(7))
        {
            case 0:
            {
                // Replace a number (a shape entry or an offset).
                var numbers = FindRuns(json, c => char.IsAsciiDigit(c));
                if (numbers.Count == 0)
                {
                    return json;
                }

                var (start, len) = numbers[rng.Next(numbers.Count)];
                var value = JsonNumbers[rng.Next(JsonNumbers.Length)];
                log.Add($"json number at {start} := {value}");
                return json[..start] + value + json[(start + len)..];
            }

            case 1:
            {
                var at = json.IndexOf("\"dtype\":\"", rng.Next(json.Length), StringComparison.Ordinal);
                if (at < 0)
                {
                    at = json.IndexOf("\"dtype\":\"", StringComparison.Ordinal);
                }

                if (at < 0)
                {
                    return json;
                }

                var start = at + 9;
                var end = json.IndexOf('"', start);
                var dtype = DTypes[rng.Next(DTypes.Length)];
                log.Add($"dtype at {start} := {dtype}");
                return json[..start] + dtype + json[end..];
            }

            case 2:
            {
                var at = rng.Next(json.Length);
                log.Add($"json delete char {at}");
                return json.Remove(at, 1);
            }

            case 3:
            {
                const string chars = "{}[]:,\"0123456789-.eE \\ax";
                var at = rng.Next(json.Length + 1);
                var c = chars[rng.Next(chars.Length)];
                log.Add($"json insert '{c}' at {at}");
                return json.Insert(at, c.ToString());
            }

            case 4:
            {
                var depth = rng.Next(1, 2000);
                log.Add($"json nest {depth}");
                var at = json.IndexOf("\"shape\":", StringComparison.Ordinal);
                return at < 0 ? json : json[..(at + 8)] + new string('[', depth) + new string(']', depth) + "," + "\"x\":" + json[(at + 8)..];
            }

            case 5:
            {
                // Duplicate the first tensor under its own name, or under a new one (overlapping offsets).
                var open = json.IndexOf("},", StringComparison.Ordinal);
                var first = json.IndexOf('"', 1);
                if (open < 0 || first < 0)
                {
                    return json;
                }

                var entry = json[first..(open + 1)];
                if (rng.Next(2) == 0)
                {
                    entry = "\"dup" + entry[1..];
                }

                log.Add("json duplicate entry");
                return json[..^1].TrimEnd() + "," + entry + "}";
            }

            default:
            {
                var key = rng.Next(3) switch { 0 => "__metadata__", 1 => "extra", _ => string.Empty };
                var value = rng.Next(4) switch { 0 => "{\"a\":1}", 1 => "[]", 2 => "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", _ => "\"s\"" };
                log.Add($"json add {key}:{value}");
                return "{\"" + key + "\":" + value + "," + json.TrimStart()[1..];
            }
        }
    }

    private static byte[] PickleSnippet(Random rng, List<string> log)
    {
        var p = new PickleBuilder();
        string[] evil = ["os", "system", "builtins", "eval", "posix", "system", "subprocess", "Popen", "builtins", "__import__", "torch", "load"];
        var g = rng.Next(evil.Length / 2) * 2;
        switch (rng.Next(12))
        {
            case 0:
                log.Add($"GLOBAL {evil[g]}.{evil[g + 1]}");
                return p.Global(evil[g], evil[g + 1]).Str("id").Tuple1().Reduce().ToArray();
            case 1:
                log.Add($"STACK_GLOBAL {evil[g]}.{evil[g + 1]}");
                return p.StackGlobal(evil[g], evil[g + 1]).Memoize().ShortStr("id").Tuple1().Reduce().ToArray();
            case 2:
                var marks = rng.Next(10, 5000);
                log.Add($"{marks} MARKs");
                return p.Repeat(marks, x => x.Mark()).ToArray();
            case 3:
                var tuples = rng.Next(10, 5000);
                log.Add($"{tuples} nested tuples");
                return p.EmptyTuple().Repeat(tuples, x => x.Tuple1()).ToArray();
            case 4:
                var lists = rng.Next(10, 3000);
                log.Add($"{lists} nested lists");
                return p.Repeat(lists, x => x.EmptyList()).Repeat(lists, x => x.Append()).ToArray();
            case 5:
                var length = InterestingValues[rng.Next(InterestingValues.Length)];
                log.Add($"huge length {length}");
                return rng.Next(3) switch
                {
                    0 => p.Op((byte)'X').UInt32((uint)length).ToArray(),
                    1 => p.Op(0x8d).UInt64(length).ToArray(),
                    _ => p.Op(0x8b).Int32((int)length).ToArray(),
                };
            case 6:
                var index = (uint)InterestingValues[rng.Next(InterestingValues.Length)];
                log.Add($"memo get/put {index}");
                return rng.Next(2) == 0 ? p.LongBinGet(index).ToArray() : p.LongBinPut(index).ToArray();
            case 7:
                var op = (byte)rng.Next(256);
                log.Add($"opcode 0x{op:x2}");
                return [op];
            case 8:
                log.Add("storage persistent id");
                return p.Mark().Str("storage").Global("torch", rng.Next(2) == 0 ? "FloatStorage" : "HalfStorage").Str("0").Str("cpu")
                    .Int((long)InterestingValues[rng.Next(InterestingValues.Length)]).Tuple().BinPersId().ToArray();
            case 9:
                log.Add("rebuild call");
                return p.Global("torch._utils", "_rebuild_tensor_v2").Mark().BinGet(8).Int(rng.Next(-1, 10))
                    .Int(rng.Next(0, 100000)).Tuple1().Int(rng.Next(0, 3)).Tuple1().Bool(false).None().Tuple().Reduce().ToArray();
            case 10:
                string[] structural = ["STOP", "REDUCE", "BUILD", "BINPERSID", "SETITEMS", "APPENDS", "TUPLE", "POP_MARK", "DUP", "POP"];
                byte[] codes = [(byte)'.', (byte)'R', (byte)'b', (byte)'Q', (byte)'u', (byte)'e', (byte)'t', (byte)'1', (byte)'2', (byte)'0'];
                var k = rng.Next(codes.Length);
                log.Add(structural[k]);
                return [codes[k]];
            default:
                log.Add("big dict key");
                return p.Str(new string('k', rng.Next(0, 100_000))).None().SetItem().ToArray();
        }
    }

    private static byte[] OneByteMutation(Random rng, byte[] data, List<string> log)
    {
        if (data.Length == 0)
        {
            log.Add("append byte");
            return [(byte)rng.Next(256)];
        }

        switch (rng.Next(7))
        {
            case 0:
            {
                var length = rng.Next(data.Length);
                log.Add($"truncate to {length}");
                return data[..length];
            }

            case 1:
            {
                var copy = (byte[])data.Clone();
                var flips = rng.Next(1, 9);
                for (var i = 0; i < flips; i++)
                {
                    var at = rng.Next(copy.Length);
                    copy[at] ^= (byte)(1 << rng.Next(8));
                }

                log.Add($"flip {flips} bits");
                return copy;
            }

            case 2:
            {
                var at = rng.Next(data.Length + 1);
                var insert = new byte[rng.Next(1, 17)];
                rng.NextBytes(insert);
                log.Add($"insert {insert.Length} bytes at {at}");
                return data[..at].Concat(insert).Concat(data[at..]).ToArray();
            }

            case 3:
            {
                var at = rng.Next(data.Length);
                var length = Math.Min(rng.Next(1, 33), data.Length - at);
                log.Add($"delete {length} bytes at {at}");
                return data[..at].Concat(data[(at + length)..]).ToArray();
            }

            case 4:
            {
                var width = new[] { 1, 2, 4, 8 }[rng.Next(4)];
                var at = rng.Next(Math.Max(1, data.Length - width + 1));
                var value = InterestingValues[rng.Next(InterestingValues.Length)];
                var copy = (byte[])data.Clone();
                var bytes = BitConverter.GetBytes(value);
                for (var i = 0; i < width && at + i < copy.Length; i++)
                {
                    copy[at + i] = bytes[i];
                }

                log.Add(string.Create(CultureInfo.InvariantCulture, $"write {width}-byte {value} at {at}"));
                return copy;
            }

            case 5:
            {
                var from = rng.Next(data.Length);
                var length = Math.Min(rng.Next(1, 65), data.Length - from);
                var to = rng.Next(data.Length + 1);
                log.Add($"duplicate {length} bytes from {from} to {to}");
                return data[..to].Concat(data[from..(from + length)]).Concat(data[to..]).ToArray();
            }

            default:
            {
                var copy = (byte[])data.Clone();
                var at = rng.Next(copy.Length);
                copy[at] = (byte)rng.Next(256);
                log.Add($"set byte {at}");
                return copy;
            }
        }
    }

    private static List<(int Start, int Length)> FindRuns(string text, Func<char, bool> predicate)
    {
        var runs = new List<(int, int)>();
        for (var i = 0; i < text.Length; i++)
        {
            if (!predicate(text[i]))
            {
                continue;
            }

            var start = i;
            while (i < text.Length && predicate(text[i]))
            {
                i++;
            }

            runs.Add((start, i - start));
        }

        return runs;
    }
}
