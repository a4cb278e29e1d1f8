using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace NeuralStyle.Weights;

/// <summary>
/// Reads safetensors files: an 8-byte little-endian header length, a UTF-8 JSON object mapping each tensor name to
/// <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (relative to the data that follows the header), with an optional
/// <c>__metadata__</c> object of strings; then the data, which the tensors must cover exactly, without gaps or overlaps.
/// </summary>
internal static class SafeTensorsReader
{
    private const string MetadataKey = "__metadata__";

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 8 };

    public static IReadOnlyDictionary<string, WeightTensor> Read(byte[] file, WeightReadContext context)
    {
        if (file.Length < 8)
        {
            throw context.Fail("the file is too short for a safetensors header.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)context.Limits.MaxHeaderBytes)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"the safetensors header declares {headerLength} bytes, more than {context.Limits.MaxHeaderBytes} (limit MaxHeaderBytes)."));
        }

        if (headerLength > (ulong)(file.Length - 8))
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"the safetensors header declares {headerLength} bytes, but the file has only {file.Length - 8} after the length."));
        }

        var header = file.AsMemory(8, (int)headerLength);
        if (header.Length == 0 || header.Span[0] != (byte)'{')
        {
            throw context.Fail("the safetensors header does not start with '{'.");
        }

        var dataStart = 8 + (int)headerLength;
        var dataLength = file.Length - dataStart;
        var entries = ParseHeader(header, dataLength, context);

        CheckCoverage(entries, dataLength, context);

        var result = new Dictionary<string, WeightTensor>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var values = new float[e.Count];
            TensorGather.Convert(file.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin)), values, e.DType, bigEndian: false, context);
            result.Add(e.Name, new WeightTensor(e.Name, e.Shape, values));
        }

        return result;
    }

    private static List<Entry> ParseHeader(ReadOnlyMemory<byte> header, long dataLength, WeightReadContext context)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw context.Fail($"the safetensors header is not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            try
            {
                return ParseEntries(document.RootElement, dataLength, context);
            }
            catch (InvalidOperationException ex)
            {
                // A string that cannot be transcoded, such as an escaped lone surrogate.
                throw context.Fail("the safetensors header holds an invalid string.", ex);
            }
        }
    }

    private static List<Entry> ParseEntries(JsonElement root, long dataLength, WeightReadContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail("the safetensors header is not a JSON object.");
        }

        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw context.Fail($"the safetensors header names {WeightReadContext.Quote(property.Name)} twice.");
            }

            if (property.Name == MetadataKey)
            {
                CheckMetadata(property.Value, context);
                continue;
            }

            if (entries.Count >= context.Limits.MaxTensorCount)
            {
                throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"more than {context.Limits.MaxTensorCount} tensors (limit MaxTensorCount)."));
            }

            entries.Add(ParseEntry(property.Name, property.Value, dataLength, context));
        }

        return entries;
    }

    private static void CheckMetadata(JsonElement metadata, WeightReadContext context)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail("the safetensors __metadata__ is not an object.");
        }

        foreach (var item in metadata.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw context.Fail($"the safetensors __metadata__ value {WeightReadContext.Quote(item.Name)} is not a string.");
            }
        }
    }

    private static Entry ParseEntry(string name, JsonElement info, long dataLength, WeightReadContext context)
    {
        if (info.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail($"tensor {WeightReadContext.Quote(name)} is described by a JSON {info.ValueKind} rather than an object.");
        }

        if (!info.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw context.Fail($"tensor {WeightReadContext.Quote(name)} has no dtype string.");
        }

        var dtypeName = dtypeElement.GetString()!;
        TensorDType dtype = dtypeName switch
        {
            "F32" => TensorDType.Float32,
            "F16" => TensorDType.Float16,
            "BF16" => TensorDType.BFloat16,
            "F64" => TensorDType.Float64,
            _ => throw context.Fail($"tensor {WeightReadContext.Quote(name)} has dtype {WeightReadContext.Quote(dtypeName)}, which is not supported (F32, F16, BF16 and F64 are)."),
        };

        if (!info.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw context.Fail($"tensor {WeightReadContext.Quote(name)} has no shape array.");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            shape[i++] = dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out var d) && d >= 0
                ? d
                : throw context.Fail($"tensor {WeightReadContext.Quote(name)} has a shape entry that is not a non-negative integer.");
        }

        if (!info.TryGetProperty("data_offsets", out var offsetsElement)
            || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw context.Fail($"tensor {WeightReadContext.Quote(name)} has no data_offsets pair.");
        }

        var begin = ReadOffset(offsetsElement[0], name, context);
        var end = ReadOffset(offsetsElement[1], name, context);
        if (begin > end || end > dataLength)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"tensor {WeightReadContext.Quote(name)} has data_offsets [{begin}, {end}] outside the {dataLength} data bytes."));
        }

        // Element count, checked against the byte length without overflowing.
        var byteLength = end - begin;
        var size = TensorDTypes.ElementSize(dtype);
        long count = Array.IndexOf(shape, 0L) >= 0 ? 0 : 1;
        foreach (var d in shape)
        {
            if (count != 0 && d > byteLength / size / count)
            {
                count = -1;
                break;
            }

            count *= d;
        }

        if (count < 0 || count * size != byteLength)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"tensor {WeightReadContext.Quote(name)} has shape [{string.Join(", ", shape)}] of {dtypeName}, which does not fill its {byteLength} bytes exactly."));
        }

        context.CountTensor(count);
        return new Entry(name, dtype, shape, count, begin, end);
    }

    private static long ReadOffset(JsonElement element, string name, WeightReadContext context)
        => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0
            ? value
            : throw context.Fail($"tensor {WeightReadContext.Quote(name)} has a data offset that is not a non-negative integer.");

    /// <summary>The tensors must cover the data exactly: sorted by offset, each starts where the previous one ends.</summary>
    private static void CheckCoverage(List<Entry> entries, long dataLength, WeightReadContext context)
    {
        var sorted = entries.ToArray();
        Array.Sort(sorted, static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        foreach (var e in sorted)
        {
            if (e.Begin != expected)
            {
                throw context.Fail(e.Begin < expected
                    ? $"the data of tensor {WeightReadContext.Quote(e.Name)} overlaps the data of another tensor."
                    : string.Create(CultureInfo.InvariantCulture, $"the data has a gap of {e.Begin - expected} bytes before tensor {WeightReadContext.Quote(e.Name)}."));
            }

            expected = e.End;
        }

        if (expected != dataLength)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"the tensors cover {expected} of the {dataLength} data bytes."));
        }
    }

    private sealed record Entry(string Name, TensorDType DType, long[] Shape, long Count, long Begin, long End);
}
