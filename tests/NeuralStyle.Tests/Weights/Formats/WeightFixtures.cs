using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace NeuralStyle.Tests.Weights;

/// <summary>How a fixture's pickle is written.</summary>
public enum PickleStyle
{
    /// <summary>Protocol 2 with GLOBAL and BINUNICODE, as torch.save writes by default.</summary>
    Protocol2,

    /// <summary>Protocol 4 with FRAME, STACK_GLOBAL, SHORT_BINUNICODE and MEMOIZE.</summary>
    Protocol4,

    /// <summary>Protocol 2 with Python 2 byte strings (SHORT_BINSTRING), as old legacy files have.</summary>
    Python2,
}

/// <summary>A storage of a fixture checkpoint: its key, its torch storage type (FloatStorage, ...) and its raw bytes.</summary>
internal sealed record TorchStorageSpec(string Key, string StorageType, byte[] Data)
{
    public int ElementSize => StorageType switch
    {
        "HalfStorage" or "BFloat16Storage" => 2,
        "DoubleStorage" => 8,
        "LongStorage" => 8,
        _ => 4,
    };

    public long Numel => Data.Length / ElementSize;
}

/// <summary>A view of a storage, as legacy files record it: (view_key, element offset, element count).</summary>
internal sealed record TorchViewSpec(string ViewKey, long Offset, long Size);

/// <summary>A tensor of a fixture checkpoint; <see cref="Stride"/> null means row-major.</summary>
internal sealed record TorchTensorSpec(string Name, string StorageKey, long Offset, long[] Shape, long[]? Stride = null, TorchViewSpec? View = null)
{
    public long[] Strides => Stride ?? RowMajorStrides(Shape);

    public static long[] RowMajorStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        return strides;
    }
}

/// <summary>Builds small PyTorch checkpoints (zip and legacy) from storages and tensor views, without PyTorch.</summary>
internal sealed class TorchCheckpoint
{
    public static readonly byte[] MagicBytes = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    public List<TorchStorageSpec> Storages { get; } = new();

    public List<TorchTensorSpec> Tensors { get; } = new();

    public PickleStyle Style { get; init; } = PickleStyle.Protocol2;

    /// <summary>Wraps the state dict as {'state_dict': ..., 'epoch': 3}.</summary>
    public bool WrapInStateDict { get; init; }

    /// <summary>Pickles each tensor as a Parameter (_rebuild_parameter around _rebuild_tensor_v2).</summary>
    public bool AsParameters { get; init; }

    /// <summary>Adds the OrderedDict state {'_metadata': {'': {'version': 1}}} that module.state_dict() has, via BUILD.</summary>
    public bool WithMetadata { get; init; }

    /// <summary>Marks the data as big-endian (the storages' bytes must already be big-endian).</summary>
    public bool BigEndian { get; init; }

    public TorchCheckpoint Add(TorchStorageSpec storage)
    {
        Storages.Add(storage);
        return this;
    }

    public TorchCheckpoint Add(TorchTensorSpec tensor)
    {
        Tensors.Add(tensor);
        return this;
    }

    /// <summary>Adds a contiguous float32 tensor with its own storage (keyed by the running storage count).</summary>
    public TorchCheckpoint AddFloat(string name, long[] shape, float[] values)
    {
        var key = Storages.Count.ToString(CultureInfo.InvariantCulture);
        Storages.Add(new TorchStorageSpec(key, "FloatStorage", Bytes.Float32(values)));
        Tensors.Add(new TorchTensorSpec(name, key, 0, shape));
        return this;
    }

    /// <summary>The state-dict pickle; <paramref name="legacyIds"/> adds the view_metadata field of legacy persistent ids.</summary>
    public byte[] StateDictPickle(bool legacyIds)
    {
        var p = new PickleBuilder();
        if (WrapInStateDict)
        {
            p.EmptyDict().Mark();
            Str(p, "state_dict");
        }

        Global(p, "collections", "OrderedDict").EmptyTuple().Reduce();
        Memo(p, 1);
        p.Mark();
        var memo = (byte)2;
        foreach (var t in Tensors)
        {
            var storage = Storages.First(s => s.Key == t.StorageKey);
            Str(p, t.Name);
            if (AsParameters)
            {
                Global(p, "torch._utils", "_rebuild_parameter").Mark();
            }

            Global(p, "torch._utils", "_rebuild_tensor_v2").Mark();
            p.Mark();
            Str(p, "storage");
            Global(p, "torch", storage.StorageType);
            Str(p, storage.Key);
            Str(p, "cpu");
            p.Int(storage.Numel);
            if (legacyIds)
            {
                if (t.View is { } view)
                {
                    Str(p, view.ViewKey);
                    p.Int(view.Offset).Int(view.Size).Tuple3();
                }
                else
                {
                    p.None();
                }
            }

            p.Tuple().BinPersId();
            Memo(p, memo++);
            p.Int(t.Offset);
            p.Mark();
            foreach (var d in t.Shape)
            {
                p.Int(d);
            }

            p.Tuple();
            p.Mark();
            foreach (var s in t.Strides)
            {
                p.Int(s);
            }

            p.Tuple();
            p.Bool(false);
            Global(p, "collections", "OrderedDict").EmptyTuple().Reduce();
            p.Tuple().Reduce();
            if (AsParameters)
            {
                p.Bool(true);
                Global(p, "collections", "OrderedDict").EmptyTuple().Reduce();
                p.Tuple().Reduce();
            }

            Memo(p, memo++);
        }

        p.SetItems();
        if (WithMetadata)
        {
            p.EmptyDict();
            Str(p, "_metadata");
            Global(p, "collections", "OrderedDict").EmptyTuple().Reduce();
            Str(p, string.Empty);
            p.EmptyDict();
            Str(p, "version");
            p.Int(1).SetItem().SetItem().SetItem().Build();
        }

        if (WrapInStateDict)
        {
            Str(p, "epoch");
            p.Int(3).SetItems();
        }

        p.Stop();
        return Framed(p.ToArray());
    }

    /// <summary>A zip-format file: &lt;archive&gt;/data.pkl, byteorder, version and data/&lt;key&gt; (stored, like torch.save).</summary>
    public byte[] ToZip(string archiveName = "archive", byte[]? pickleOverride = null, bool writeByteOrder = true)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, archiveName + "/data.pkl", pickleOverride ?? StateDictPickle(legacyIds: false));
            if (writeByteOrder)
            {
                Write(zip, archiveName + "/byteorder", Encoding.ASCII.GetBytes(BigEndian ? "big" : "little"));
            }

            foreach (var s in Storages)
            {
                Write(zip, archiveName + "/data/" + s.Key, s.Data);
            }

            Write(zip, archiveName + "/version", "3\n"u8.ToArray());
        }

        return buffer.ToArray();
    }

    /// <summary>A legacy-format file: magic, protocol version, sys_info, state dict, key list, then the storages.</summary>
    public byte[] ToLegacy(byte[]? pickleOverride = null, IEnumerable<string>? keyListOverride = null, Func<TorchStorageSpec, long>? countOf = null)
    {
        var file = new List<byte>();
        file.AddRange(Framed(new PickleBuilder().Long1(MagicBytes).Stop().ToArray()));
        file.AddRange(Framed(new PickleBuilder().Int(1001).Stop().ToArray()));
        var sys = new PickleBuilder().EmptyDict().Mark();
        Str(sys, "protocol_version").Int(1001);
        Str(sys, "little_endian").Bool(!BigEndian);
        Str(sys, "type_sizes").EmptyDict().Mark();
        Str(sys, "short").Int(2);
        Str(sys, "int").Int(4);
        Str(sys, "long").Int(4);
        sys.SetItems().SetItems().Stop();
        file.AddRange(Framed(sys.ToArray()));
        file.AddRange(pickleOverride ?? StateDictPickle(legacyIds: true));

        var keys = (keyListOverride ?? Storages.Select(s => s.Key).Order(StringComparer.Ordinal)).ToList();
        var list = new PickleBuilder().EmptyList().Mark();
        foreach (var k in keys)
        {
            Str(list, k);
        }

        file.AddRange(Framed(list.Appends().Stop().ToArray()));
        foreach (var k in keys)
        {
            // A key without a storage (a broken list) gets no data.
            if (Storages.FirstOrDefault(x => x.Key == k) is not { } s)
            {
                continue;
            }

            var count = new byte[8];
            if (BigEndian)
            {
                BinaryPrimitives.WriteInt64BigEndian(count, countOf?.Invoke(s) ?? s.Numel);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(count, countOf?.Invoke(s) ?? s.Numel);
            }

            file.AddRange(count);
            file.AddRange(s.Data);
        }

        return file.ToArray();
    }

    /// <summary>Writes a zip of the given entries, compressed or stored.</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Data)> entries, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                Write(zip, name, data, level);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Rewrites the uncompressed size that the local header and the central directory declare for an entry.</summary>
    public static void PatchUncompressedSize(byte[] zip, string entryName, uint size)
    {
        var name = Encoding.ASCII.GetBytes(entryName);
        for (var i = 0; i + 46 <= zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30).StartsWith(name) && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26)) == name.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46).StartsWith(name) && BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28)) == name.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
            }
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] data, CompressionLevel level = CompressionLevel.NoCompression)
    {
        var entry = zip.CreateEntry(name, level);
        using var stream = entry.Open();
        stream.Write(data);
    }

    private byte[] Framed(byte[] body)
    {
        var p = new PickleBuilder();
        if (Style == PickleStyle.Protocol4)
        {
            p.Proto(4).Frame((ulong)body.Length);
        }
        else
        {
            p.Proto(2);
        }

        return p.Raw(body).ToArray();
    }

    private PickleBuilder Str(PickleBuilder p, string value) => Style switch
    {
        PickleStyle.Protocol4 => p.ShortStr(value),
        PickleStyle.Python2 => p.Py2Str(value),
        _ => p.Str(value),
    };

    private PickleBuilder Global(PickleBuilder p, string module, string name)
        => Style == PickleStyle.Protocol4 ? p.StackGlobal(module, name).Memoize() : p.Global(module, name);

    private void Memo(PickleBuilder p, byte index)
    {
        if (Style == PickleStyle.Protocol4)
        {
            p.Memoize();
        }
        else
        {
            p.BinPut(index);
        }
    }
}

/// <summary>Builds safetensors files.</summary>
internal static class SafeTensorsFile
{
    /// <summary>Writes tensors back to back in the given order, with an optional __metadata__, padding the header with spaces to 8 bytes.</summary>
    public static byte[] Build(IEnumerable<(string Name, string DType, long[] Shape, byte[] Data)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var parts = new List<string>();
        if (metadata is not null)
        {
            parts.Add("\"__metadata__\":{" + string.Join(",", metadata.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")) + "}");
        }

        var data = new List<byte>();
        foreach (var (name, dtype, shape, bytes) in tensors)
        {
            parts.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}}"));
            data.AddRange(bytes);
        }

        return Raw("{" + string.Join(",", parts) + "}", data.ToArray());
    }

    /// <summary>Writes a header given as JSON text, padded with spaces to 8 bytes, then the data.</summary>
    public static byte[] Raw(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var padded = (header.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }
}

/// <summary>Element encodings.</summary>
internal static class Bytes
{
    public static byte[] Float32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Float32BigEndian(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    public static byte[] Float16(params float[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }

        return bytes;
    }

    /// <summary>bfloat16 by truncation (the test values are exact in bfloat16).</summary>
    public static byte[] BFloat16(params float[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
        }

        return bytes;
    }

    public static byte[] Float64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    public static float[] Range(int count, float start = 0f)
        => Enumerable.Range(0, count).Select(i => start + i).ToArray();
}
