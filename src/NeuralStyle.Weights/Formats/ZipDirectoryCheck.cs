using System;
using System.Buffers.Binary;
using System.Globalization;

namespace NeuralStyle.Weights;

/// <summary>
/// Reads a zip archive's entry count and directory size from its end-of-central-directory record (and the zip64 one),
/// so that an archive with too many entries is refused before <see cref="System.IO.Compression.ZipArchive"/> reads its
/// whole directory into memory.
/// </summary>
internal static class ZipDirectoryCheck
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndRecordLength = 22;
    private const int Zip64LocatorLength = 20;

    /// <summary>The smallest central directory record (46 bytes, empty name): a directory larger than this many per entry is suspicious only through the count.</summary>
    private const int MinDirectoryRecordLength = 46;

    /// <summary>Fails when the archive declares more than <paramref name="maxEntries"/> entries or a directory that the file cannot hold.</summary>
    public static void Check(byte[] file, int maxEntries, WeightReadContext context)
    {
        var end = FindEndRecord(file);
        if (end < 0)
        {
            return; // ZipArchive reports the malformed archive itself.
        }

        ulong entries = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(end + 10));
        ulong directoryBytes = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(end + 12));
        var locator = end - Zip64LocatorLength;
        if (locator >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(locator)) == Zip64LocatorSignature)
        {
            var zip64End = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(locator + 8));
            if (zip64End > (ulong)(file.Length - 56) || BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)zip64End)) != Zip64EndSignature)
            {
                throw context.Fail("the zip archive's zip64 directory record is missing or out of range.");
            }

            entries = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)zip64End + 32));
            directoryBytes = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)zip64End + 40));
        }

        if (entries > (ulong)maxEntries)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"the zip archive has {entries} entries, more than {maxEntries} (limit MaxTensorCount, plus the archive's own entries)."));
        }

        if (directoryBytes > (ulong)file.Length || entries * MinDirectoryRecordLength > directoryBytes)
        {
            throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"the zip archive's directory declares {directoryBytes} bytes for {entries} entries in a file of {file.Length} bytes."));
        }
    }

    /// <summary>Finds the end-of-central-directory record: the last signature within the final 64 KiB + 22 bytes.</summary>
    private static int FindEndRecord(byte[] file)
    {
        var lowest = Math.Max(0, file.Length - EndRecordLength - ushort.MaxValue);
        for (var i = file.Length - EndRecordLength; i >= lowest; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(i)) == EndSignature)
            {
                return i;
            }
        }

        return -1;
    }
}
