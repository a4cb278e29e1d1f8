using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NeuralStyle.Features;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.Imaging;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Weights;
using SkiaSharp;

namespace NeuralStyle.Tests.Weights;

/// <summary>One attack class of issue #14 and docs/security.md: its name, the issue's item, and its input at a scale.</summary>
/// <param name="Name">The class's name, as eng/adversarial.sh takes it.</param>
/// <param name="Item">The item of issue #14 it attacks.</param>
/// <param name="Prepare">Builds the input at a scale (1 in the test run; each class caps itself at its largest size).</param>
internal sealed record Attack(string Name, string Item, Func<int, AttackInput> Prepare);

/// <summary>An attack's input, ready to run.</summary>
/// <param name="Size">What the input is, for the table (a file's length, a picture's declared size…).</param>
/// <param name="Bytes">The length of the file read, for its throughput; 0 where there is none.</param>
/// <param name="Run">Feeds the input to the library and says how it ended: "parsed …", "decoded …" or "refused: …".</param>
/// <param name="Refused">Whether it must be refused (true) or accepted (false).</param>
/// <param name="Cleanup">Removes what the input left on disk, if anything.</param>
internal sealed record AttackInput(string Size, long Bytes, Func<string> Run, bool Refused, Action? Cleanup = null);

/// <summary>Every attack class: the weight-file ones of <see cref="AdversarialWeights"/>, then images, caches and special files.</summary>
internal static class AdversarialAttacks
{
    /// <summary>The most float32 elements a one-tensor safetensors file within the default 64 MiB may hold (its header aside).</summary>
    private const int LargestSafeTensor = (1 << 24) - 1024;

    public static readonly Attack[] All =
    [
        Weights("colliding-int-keys", "1", s => AdversarialWeights.CollidingIntegerKeys(Math.Min(2_000 * s, 5_500_000)), true),
        Weights("empty-dict-flood", "1", s => AdversarialWeights.EmptyDictFlood(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("empty-list-flood", "1", s => AdversarialWeights.EmptyListFlood(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("small-tuple-flood", "1", s => AdversarialWeights.SmallTupleFlood(Math.Min(10_000 * s, 30_000_000)), true),
        Weights("string-flood", "1", s => AdversarialWeights.StringFlood(Math.Min(10_000 * s, 20_000_000)), true),
        Weights("stack-flood", "1", s => AdversarialWeights.StackFlood(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("dup-flood", "1", s => AdversarialWeights.DupFlood(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("memo-get-flood", "1", s => AdversarialWeights.MemoGetFlood(Math.Min(10_000 * s, 30_000_000)), true),
        Weights("memo-put-flood", "1", s => AdversarialWeights.MemoPutFlood(Math.Min(10_000 * s, 65_000)), true),
        Weights("memo-jump", "1", s => AdversarialWeights.MemoJump(Math.Min(10 * s, 1_000)), true),
        Weights("append-flood", "1", s => AdversarialWeights.AppendFlood(Math.Min(10_000 * s, 30_000_000)), true),
        Weights("appends-flood", "1", s => AdversarialWeights.AppendsFlood(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("setitems-flood", "1", s => AdversarialWeights.SetItemsFlood(Math.Min(10_000 * s, 20_000_000)), true),
        Weights("wide-tuple", "1", s => AdversarialWeights.WideTuple(Math.Min(20_000 * s, 60_000_000)), true),
        Weights("spaced-dict-flood", "1", s => AdversarialWeights.SpacedFlood(Math.Min(2_000 * s, 200_000), 49, p => p.EmptyDict()), false),
        Weights("spaced-tuple-flood", "1", s => AdversarialWeights.SpacedFlood(Math.Min(1_500 * s, 150_000), 65, p => p.None().Tuple1()), false),
        Weights("spaced-string-flood", "1", s => AdversarialWeights.SpacedFlood(Math.Min(2_000 * s, 200_000), 49, p => p.ShortStr("a")), false),
        Weights("mark-flood", "1", s => AdversarialWeights.MarkFlood(Math.Min(9_000 * s, 900_000)), false),
        Weights("opcode-flood", "1", s => AdversarialWeights.OpcodeFlood(Math.Min(1_000_001 + (300_000 * s), 32_000_000)), true),
        Weights("strided-view", "1", s => StridedView(Math.Min(16 * s, 4_095)), false),
        Weights("memo-nesting", "11", s => AdversarialWeights.MemoNesting(Math.Min(20_000 * s, 4_800_000)), true),
        Weights("deep-tuples", "11", s => AdversarialWeights.DeepTuples(Math.Min(100_000 * s, 60_000_000)), true),
        Weights("deep-lists", "11", s => AdversarialWeights.DeepLists(Math.Min(1_000 * s, 100_000)), true),
        Weights("huge-declared-storage", "4", _ => AdversarialWeights.HugeDeclaredStorage((1L << 28) - 4096), true),
        Weights("many-zip-entries", "4", s => AdversarialWeights.ManyZipEntries(Math.Min(1_100 * s, 580_000)), true),
        Weights("lying-zip-entry-count", "4", _ => AdversarialWeights.LyingZipEntryCount(65_535), true),
        Weights("non-finite", "8", s => AdversarialWeights.NonFinite(Math.Min(100_000 * s, LargestSafeTensor)), true),
        Weights("largest-valid-safetensors", "–", s => LargestValid(Math.Min(100_000 * s, LargestSafeTensor)), false),
        new("squeezenet-zip", "–", _ => RealWeights(SharedAssets.ZipPthWeights)),
        new("squeezenet-legacy", "–", _ => RealWeights(SharedAssets.LegacyPthWeights)),
        new("progressive-jpeg", "3", s => Image(ProgressiveJpeg(Math.Min(256 * s, 8192)), copies: 1, "decoded 512x512")),
        new("progressive-jpeg-six-inputs", "3", s => Image(ProgressiveJpeg(Math.Min(256 * s, 8192)), copies: 6, "decoded 512x512")),
        new("flat-png", "3", s => Image(FlatPng(Math.Min(256 * s, 8192)), copies: 1, "decoded 512x512")),
        new("jpeg-header-over-limit", "3", s => Image(JpegWriter.Encode(Math.Min(10_000 * s, 65_000), Math.Min(10_000 * s, 65_000), 3, (_, _) => [90, 128, 128], maxBlocks: 1), copies: 1, null)),
        new("weights-touched", "7", s => TouchedWeights(Math.Min(6 * s, 100))),
        new("fifo-as-weights", "10", _ => Fifo(path => WeightFileReader.Read(path).Count.ToString(CultureInfo.InvariantCulture))),
        new("fifo-as-image", "10", _ => Fifo(path =>
        {
            using var bitmap = ImageFile.Load(path);
            return bitmap.Width.ToString(CultureInfo.InvariantCulture);
        })),
    ];

    /// <summary>A weight file read from memory: parsed (with its tensor count) or refused.</summary>
    private static Attack Weights(string name, string item, Func<int, byte[]> build, bool refused)
        => new(name, item, s =>
        {
            var file = build(s);
            return new AttackInput(Megabytes(file.Length), file.Length, () => ReadWeights(file, name), refused);
        });

    private static string ReadWeights(byte[] file, string name)
    {
        try
        {
            var tensors = WeightFileReader.ReadBytes(file, name, WeightReaderLimits.Default);
            return string.Create(CultureInfo.InvariantCulture, $"parsed ({tensors.Count} tensors)");
        }
        catch (WeightFormatException ex)
        {
            return Refusal(ex);
        }
    }

    /// <summary>The shared SqueezeNet 1.1 file, the normal path: read from disk as a run reads it.</summary>
    private static AttackInput RealWeights(string path)
        => new(Megabytes(new FileInfo(path).Length), new FileInfo(path).Length, () => string.Create(CultureInfo.InvariantCulture, $"parsed ({WeightFileReader.Read(path).Count} tensors)"), false);

    /// <summary>A zip .pth holding the transpose of a <paramref name="rows"/> × 4096 float32 storage (strides [1, rows]).</summary>
    private static byte[] StridedView(int rows)
        => new TorchCheckpoint()
            .Add(new TorchStorageSpec("s", "FloatStorage", Bytes.Float32(new float[rows * 4096])))
            .Add(new TorchTensorSpec("features.0.weight", "s", 0, [4096, rows], [1, 4096]))
            .ToZip();

    private static byte[] LargestValid(int elements)
        => SafeTensorsFile.Build([("features.0.weight", "F32", [elements], Bytes.Float32(new float[elements]))]);

    /// <summary>
    /// An image decoded for a run at 512 pixels, <paramref name="copies"/> times with one <see cref="ImageMemoryBudget"/>
    /// (content and five styles); <paramref name="decoded"/> is the outcome each must have, or null if it must be refused.
    /// </summary>
    private static AttackInput Image(byte[] file, int copies, string? decoded)
    {
        SKSizeI info;
        using (var codec = SKCodec.Create(new MemoryStream(file)))
        {
            info = codec.Info.Size;
        }

        var size = string.Create(CultureInfo.InvariantCulture, $"{Megabytes(file.Length)}, {info.Width}x{info.Height}{(copies > 1 ? $", {copies} inputs" : string.Empty)}");
        return new AttackInput(size, file.Length * copies, () =>
        {
            var options = new ImageLoadOptions { Budget = new ImageMemoryBudget() };
            var outcomes = Enumerable.Range(0, copies).Select(i =>
            {
                try
                {
                    using var bitmap = ImageFile.LoadForSize(new MemoryStream(file), $"input-{i}", 512, options);
                    return string.Create(CultureInfo.InvariantCulture, $"decoded {bitmap.Width}x{bitmap.Height}");
                }
                catch (ImageLoadException ex)
                {
                    return "refused: " + ex.Message;
                }
            }).Distinct().ToArray();
            return string.Join("; ", outcomes);
        }, decoded is null);
    }

    /// <summary>A progressive JPEG of <paramref name="side"/>² pixels, three full components, cut after one block (about 130 bytes).</summary>
    private static byte[] ProgressiveJpeg(int side) => JpegWriter.Encode(side, side, 3, (_, _) => [90, 128, 128], maxBlocks: 1, progressive: true);

    private static byte[] FlatPng(int side)
    {
        using var gray = new SKBitmap(new SKImageInfo(side, side, SKColorType.Gray8));
        gray.Erase(new SKColor(90, 90, 90));
        return TestImages.Encode(gray, SKEncodedImageFormat.Png);
    }

    /// <summary>
    /// The shared weights file copied and touched <paramref name="touches"/> times, each time read through the caches a
    /// run uses (parsed weights, then the extractor built from them): the caches stay at their bound.
    /// </summary>
    private static AttackInput TouchedWeights(int touches)
    {
        var folder = Directory.CreateTempSubdirectory("neuralstyle-touched-").FullName;
        var path = Path.Combine(folder, "w.safetensors");
        File.Copy(SharedAssets.SafeTensorsWeights, path);
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return new AttackInput(string.Create(CultureInfo.InvariantCulture, $"{Megabytes(new FileInfo(path).Length)}, {touches} touches"), 0, () =>
        {
            var most = 0;
            for (var i = 0; i < touches; i++)
            {
                File.SetLastWriteTimeUtc(path, start.AddMinutes(i)); // a new key each time, as `touch` makes
                ExtractorCache.Get(WeightCache.Get(path), TorchSharp.torch.CPU);
                most = Math.Max(most, Math.Max(WeightCache.Count, ExtractorCache.Count));
            }

            if (most > WeightCache.MaxEntries)
            {
                throw new InvalidOperationException($"the caches grew to {most} entries");
            }

            return string.Create(CultureInfo.InvariantCulture, $"parsed {touches} times; at most {most} entries cached");
        }, false, () => Directory.Delete(folder, recursive: true));
    }

    /// <summary>A named pipe given where a file is expected; refused at once, or the run would block for ever.</summary>
    private static AttackInput Fifo(Func<string, string> open)
    {
        var folder = Directory.CreateTempSubdirectory("neuralstyle-fifo-").FullName;
        var path = Path.Combine(folder, "input.fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
        }

        return new AttackInput("a named pipe", 0, () =>
        {
            try
            {
                return "parsed " + open(path);
            }
            catch (Exception ex) when (ex is WeightFormatException or ImageLoadException)
            {
                return "refused: " + ex.Message.Replace(path, "input.fifo", StringComparison.Ordinal);
            }
        }, true, () => Directory.Delete(folder, recursive: true));
    }

    private static string Refusal(Exception ex) => "refused: " + ex.Message[(ex.Message.IndexOf(':', StringComparison.Ordinal) + 2)..];

    private static string Megabytes(long bytes)
        => bytes < 10_000 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.###} MB");
}
