using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using NeuralStyle.Weights.Pickle;

namespace NeuralStyle.Weights;

/// <summary>
/// Reads <c>torch.save</c> files in PyTorch's legacy format (before 1.6): five pickles in a row (the magic number
/// 0x1950a86a20f9469cfc6c, the protocol version 1001, a sys_info dict, the state dict whose persistent ids name
/// storages, and the sorted list of storage keys), then for each key in that order an 8-byte element count followed
/// by the storage's raw elements.
/// </summary>
internal static class PyTorchLegacyReader
{
    private const long ProtocolVersion = 1001;

    /// <summary>Gets the magic number that a legacy file starts with, as little-endian bytes (the body of its LONG1 opcode).</summary>
    public static ReadOnlySpan<byte> MagicBytes => [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    public static IReadOnlyDictionary<string, WeightTensor> Read(byte[] file, WeightReadContext context)
    {
        var position = 0;

        var magic = LoadPickle(file, ref position, context, null);
        if (magic is not BigInteger value || value != new BigInteger(MagicBytes, isUnsigned: true))
        {
            throw context.Fail("the file does not start with PyTorch's magic number.");
        }

        if (LoadPickle(file, ref position, context, null) is not long version || version != ProtocolVersion)
        {
            throw context.Fail("the file has an unknown legacy protocol version (expected 1001).");
        }

        // sys_info: {'protocol_version': 1001, 'little_endian': bool, 'type_sizes': {...}}
        if (LoadPickle(file, ref position, context, null) is not PickleDict sysInfo)
        {
            throw context.Fail("the file's sys_info is not a dict.");
        }

        var bigEndian = sysInfo.TryGetValue("little_endian", out var littleEndian) && littleEndian is false;

        var storages = new TorchStorageTable(context, context.Limits.MaxFileBytes, nameof(WeightReaderLimits.MaxFileBytes), allowViews: true);
        var root = LoadPickle(file, ref position, context, storages.Load);

        if (LoadPickle(file, ref position, context, null) is not PickleList keys)
        {
            throw context.Fail("the list of storage keys is missing.");
        }

        var seen = new HashSet<TorchStorage>();
        foreach (var keyObject in keys.Items)
        {
            if (keyObject is not string key || !storages.TryGetRoot(key, out var storage) || !seen.Add(storage!))
            {
                throw context.Fail($"the storage key list names {PickleText.Describe(keyObject)}, which the state dict does not use or the list repeats.");
            }

            if (file.Length - position < 8)
            {
                throw context.Fail($"the data of storage {WeightReadContext.Quote(key)} is truncated.");
            }

            var count = bigEndian
                ? BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(position))
                : BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(position));
            position += 8;
            if (count != storage!.Numel)
            {
                throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"storage {WeightReadContext.Quote(key)} holds {count} elements, but the state dict declares {storage.Numel}."));
            }

            if (storage.ByteLength > file.Length - position)
            {
                throw context.Fail($"the data of storage {WeightReadContext.Quote(key)} is truncated.");
            }

            storage.SetData(file, position);
            position += (int)storage.ByteLength;
        }

        foreach (var storage in storages.Roots)
        {
            if (!seen.Contains(storage))
            {
                throw context.Fail($"storage {WeightReadContext.Quote(storage.Key)} is not in the storage key list, so its data is missing.");
            }
        }

        return StateDict.Extract(root, bigEndian, context);
    }

    private static object LoadPickle(byte[] file, ref int position, WeightReadContext context, Func<object, object>? persistentLoad)
    {
        var unpickler = new SafeUnpickler(file, position, file.Length, context, persistentLoad);
        var result = unpickler.Load();
        position = unpickler.Position;
        return result;
    }
}
