// TEMPORARY: replaced by the weights-io branch.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace NeuralStyle.Weights;

/// <summary>Temporary.</summary>
public static class WeightFileReader
{
    /// <summary>Temporary.</summary>
    /// <param name="path">p.</param>
    /// <returns>r.</returns>
    public static IReadOnlyDictionary<string, WeightTensor> Read(string path)
    {
        var raw = File.ReadAllBytes(path);
        var n = (int)BitConverter.ToUInt64(raw, 0);
        using var doc = JsonDocument.Parse(raw.AsMemory(8, n));
        var result = new Dictionary<string, WeightTensor>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                continue;
            }

            var shape = new List<long>();
            foreach (var d in p.Value.GetProperty("shape").EnumerateArray())
            {
                shape.Add(d.GetInt64());
            }

            var offs = p.Value.GetProperty("data_offsets");
            var a = offs[0].GetInt32();
            var b = offs[1].GetInt32();
            var values = new float[(b - a) / 4];
            Buffer.BlockCopy(raw, 8 + n + a, values, 0, b - a);
            result[p.Name] = new WeightTensor(p.Name, shape, values);
        }

        return result;
    }
}
