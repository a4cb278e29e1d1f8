using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuralStyle.Weights;

/// <summary>
/// Tells a regular file from a FIFO, a device, a socket or a folder before it is opened: opening a FIFO for reading
/// blocks until a writer appears (forever, if none does), and a device such as <c>/dev/zero</c> never ends. .NET reports
/// neither (both have length 0 and <see cref="FileAttributes.Normal"/>), so on Linux the file type comes from
/// <c>statx</c>. The one place for this check: weight files use <see cref="Check"/>, images (in NeuralStyle) <see cref="Of"/>.
/// </summary>
internal static class RegularFile
{
    /// <summary>What a path names, as far as reading it is concerned.</summary>
    public enum Kind
    {
        /// <summary>A regular file, a path that does not exist, or a platform where the type cannot be asked (the open then decides).</summary>
        RegularOrUnknown,

        /// <summary>A folder.</summary>
        Folder,

        /// <summary>A FIFO (named pipe), character or block device, or socket.</summary>
        Special,
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask, stx_blksize (u32), stx_attributes (u64), stx_nlink, stx_uid, stx_gid (u32), stx_mode (u16)
    private const int TypeMask = 0xF000, RegularType = 0x8000, FolderType = 0x4000;

    /// <summary>The kind of file <paramref name="path"/> names, following symbolic links.</summary>
    public static Kind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere .NET's attributes tell folders and (on Windows) devices; a FIFO cannot be told before the open.
            var info = new FileInfo(path);
            return Directory.Exists(path) ? Kind.Folder
                : info.Exists && (info.Attributes & FileAttributes.Device) != 0 ? Kind.Special
                : Kind.RegularOrUnknown;
        }

        var buffer = new byte[256];
        var name = Encoding.UTF8.GetBytes(path + "\0");
        int result;
        try
        {
            result = Statx(AtFdCwd, name, 0, StatxType, buffer);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return Kind.RegularOrUnknown; // a C library without statx (glibc before 2.28, musl before 1.2.5)
        }

        if (result != 0)
        {
            return Kind.RegularOrUnknown; // missing or inaccessible: the open reports it with its usual message
        }

        return (BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask) switch
        {
            RegularType => Kind.RegularOrUnknown,
            FolderType => Kind.Folder,
            _ => Kind.Special,
        };
    }

    /// <summary>
    /// Fails with a <see cref="WeightFormatException"/> naming <paramref name="path"/> when it exists but is not a
    /// regular file with content (an empty file is no weight file either).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="origin">Where the path came from, for the message (for example <c>WeightsOptions.Path</c>), or null.</param>
    public static void Check(string path, string? origin = null)
    {
        var problem = Of(path) switch
        {
            Kind.Folder => "it is a folder",
            Kind.Special => "it is not a regular file (a named pipe, socket or device)",
            _ => File.Exists(path) && new FileInfo(path).Length == 0 ? "it is empty" : null,
        };
        if (problem is not null)
        {
            var from = origin is null ? string.Empty : $" (from {origin})";
            throw new WeightFormatException($"Weight file '{Path.GetFullPath(path)}'{from}: {problem}; give the path of the weights file itself.");
        }
    }

    // Blittable arguments only (byte arrays are pinned), so no marshalling code is generated.
    [DllImport("libc", EntryPoint = "statx", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
