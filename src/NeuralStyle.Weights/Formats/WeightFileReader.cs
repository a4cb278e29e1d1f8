using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using NeuralStyle.Internal;

namespace NeuralStyle.Weights;

/// <summary>
/// Reads the tensors of a weight file in any of the <see cref="WeightFileFormat"/> formats, treating the file as
/// untrusted: PyTorch pickles are read by a restricted unpickler that only understands state dicts and never runs code,
/// and every size in the file is checked against the file and against <see cref="WeightReaderLimits"/>.
/// </summary>
public static class WeightFileReader
{
    /// <summary>Bytes enough to recognise every format.</summary>
    private const int SniffLength = 32;

    /// <summary>Detects the format of a weight file from its first bytes; the file name's extension is not used.</summary>
    /// <param name="path">The file to look at.</param>
    /// <returns>The format of the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="WeightFormatException">The file is in none of the supported formats.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static WeightFileFormat DetectFormat(string path)
    {
        Guard.NotNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var head = new byte[SniffLength];
        var length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head.AsSpan(0, length), stream.Length) ?? throw NotRecognised(path, head.AsSpan(0, length));
    }

    /// <summary>Reads every tensor of a weight file, detecting its format from its content.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="limits">Bounds on sizes and work, or null for <see cref="WeightReaderLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the read; it is honoured while the file is parsed, within milliseconds.</param>
    /// <returns>The tensors by their key in the file, converted to float32, in header order for safetensors and state-dict order for PyTorch files.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="WeightFormatException">
    /// The file is empty, a folder or not a regular file (a named pipe or a device), is malformed, exceeds a limit, holds an
    /// unsupported element type or a value that is not finite, or (for PyTorch files) names a global outside the
    /// state-dict allow-list; the message names the file and the problem.
    /// </exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static IReadOnlyDictionary<string, WeightTensor> Read(string path, WeightReaderLimits? limits = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNullOrWhiteSpace(path);
        limits ??= WeightReaderLimits.Default;
        RegularFile.Check(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        return ReadBytes(ReadAll(stream, path, limits), path, limits, cancellationToken);
    }

    /// <summary>Reads every tensor of a weight file from a stream, detecting its format from its content.</summary>
    /// <param name="stream">The stream, read from its current position to its end; it is not closed.</param>
    /// <param name="sourceName">What to call the data in error messages, for example a file name or URL.</param>
    /// <param name="limits">Bounds on sizes and work, or null for <see cref="WeightReaderLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the read; it is honoured while the data is parsed, within milliseconds.</param>
    /// <returns>The tensors by their key in the file, converted to float32.</returns>
    /// <exception cref="ArgumentException"><paramref name="sourceName"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="sourceName"/> is null.</exception>
    /// <exception cref="WeightFormatException">The data is malformed, exceeds a limit or is not allowed; the message names <paramref name="sourceName"/>.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static IReadOnlyDictionary<string, WeightTensor> Read(Stream stream, string sourceName, WeightReaderLimits? limits = null, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(stream);
        Guard.NotNullOrWhiteSpace(sourceName);
        limits ??= WeightReaderLimits.Default;
        return ReadBytes(ReadAll(stream, sourceName, limits), sourceName, limits, cancellationToken);
    }

    /// <summary>Reads tensors from a file's bytes held in memory.</summary>
    internal static IReadOnlyDictionary<string, WeightTensor> ReadBytes(byte[] file, string sourceName, WeightReaderLimits limits, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var context = new WeightReadContext(sourceName, limits, file.LongLength, cancellationToken);
        if (file.LongLength > limits.MaxFileBytes)
        {
            throw TooLarge(context, file.LongLength);
        }

        var format = Detect(file, file.LongLength) ?? throw NotRecognised(sourceName, file);
        var tensors = format switch
        {
            WeightFileFormat.SafeTensors => SafeTensorsReader.Read(file, context),
            WeightFileFormat.PyTorchZip => PyTorchZipReader.Read(file, context),
            _ => PyTorchLegacyReader.Read(file, context),
        };
        foreach (var tensor in tensors.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckFinite(tensor, context);
        }

        return new WeightSet(sourceName, tensors);
    }

    /// <summary>Refuses NaN and infinities, which would otherwise surface later as a diverging run.</summary>
    private static void CheckFinite(WeightTensor tensor, WeightReadContext context)
    {
        var values = tensor.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw context.Fail(string.Create(
                    CultureInfo.InvariantCulture,
                    $"tensor {WeightReadContext.Quote(tensor.Name)} holds {values[i]} at element {i}; weights must be finite numbers."));
            }
        }
    }

    /// <summary>Recognises a format from the first bytes of a file of <paramref name="fileLength"/> bytes.</summary>
    internal static WeightFileFormat? Detect(ReadOnlySpan<byte> head, long fileLength)
    {
        // Zip local file header.
        if (head.StartsWith("PK\x03\x04"u8))
        {
            return WeightFileFormat.PyTorchZip;
        }

        // Legacy: the first pickle is the magic number as a LONG1, after PROTO (and a FRAME from protocol 4 on).
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
        {
            var rest = head[2..];
            if (rest.Length >= 9 && rest[0] == 0x95)
            {
                rest = rest[9..];
            }

            if (rest.Length >= 2 + PyTorchLegacyReader.MagicBytes.Length && rest[0] == 0x8a && rest[1] == PyTorchLegacyReader.MagicBytes.Length
                && rest[2..].StartsWith(PyTorchLegacyReader.MagicBytes))
            {
                return WeightFileFormat.PyTorchLegacy;
            }
        }

        // safetensors: a plausible header length, then the JSON object's '{'.
        if (head.Length >= 9 && head[8] == (byte)'{')
        {
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
            if (headerLength >= 2 && headerLength <= (ulong)Math.Max(0, fileLength - 8))
            {
                return WeightFileFormat.SafeTensors;
            }
        }

        return null;
    }

    private static byte[] ReadAll(Stream stream, string sourceName, WeightReaderLimits limits)
    {
        if (stream.CanSeek)
        {
            var remaining = Math.Max(0, stream.Length - stream.Position);
            if (remaining > limits.MaxFileBytes || remaining > Array.MaxLength)
            {
                throw TooLarge(new WeightReadContext(sourceName, limits), remaining);
            }

            var buffer = new byte[remaining];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read == buffer.Length && stream.ReadByte() < 0)
            {
                return buffer;
            }

            // The stream's length was not what it claimed (a file that grew or shrank while being read).
            throw new IOException($"'{sourceName}' changed size while it was being read.");
        }

        var max = Math.Min(limits.MaxFileBytes, Array.MaxLength);
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (copy.Length + n > max)
            {
                throw TooLarge(new WeightReadContext(sourceName, limits), copy.Length + n);
            }

            copy.Write(chunk, 0, n);
        }

        return copy.ToArray();
    }

    private static WeightFormatException TooLarge(WeightReadContext context, long length)
        => context.Fail(string.Create(CultureInfo.InvariantCulture, $"the data has at least {length} bytes, more than {context.Limits.MaxFileBytes} (limit MaxFileBytes)."));

    private static WeightFormatException NotRecognised(string sourceName, ReadOnlySpan<byte> head)
        => new($"Weight file '{sourceName}': not a safetensors, PyTorch zip or legacy PyTorch file (it starts with {Convert.ToHexString(head[..Math.Min(head.Length, 16)])}).");
}
