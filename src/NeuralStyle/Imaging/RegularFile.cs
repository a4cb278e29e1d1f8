using System;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuralStyle.Imaging;

/// <summary>
/// Tells a regular file from a FIFO, a device, a socket or a folder before it is opened: opening a FIFO for reading
/// blocks until a writer appears, and a device such as <c>/dev/zero</c> never ends. .NET reports neither (both have
/// length 0 and <see cref="System.IO.FileAttributes.Normal"/>), so on Linux the file type comes from <c>statx</c>.
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
            return Kind.RegularOrUnknown;
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

    // Blittable arguments only (byte arrays are pinned), so no marshalling code is generated.
    [DllImport("libc", EntryPoint = "statx", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
