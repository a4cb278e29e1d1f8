using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Gallery;
using NeuralStyle.Imaging;

// Usage (from the repository root): dotnet run --project samples/Gallery -c Release -- [--weights FILE] [--device D] [--size N]
//                                   [--iterations N] [--only name,name]
// Writes docs/images/gallery/*.png (masks and results) and docs/gallery.md. Each picture is made by the neural-style
// command itself, with exactly the arguments the page shows.
var settings = ParseArguments(args);
var root = FindRepositoryRoot();
var galleryFolder = Path.Combine(root, "docs", "images", "gallery");
Directory.CreateDirectory(galleryFolder);

SaveMask(Masks.Ellipse(), "mask-ellipse.png");
SaveMask(Masks.Side(left: true), "mask-left.png");
SaveMask(Masks.Side(left: false), "mask-right.png");

const string Mosaic = "style-mosaic.png";
const string Waves = "style-waves.png";
Entry[] entries =
[
    new("baseline-mosaic", "Baseline", "README", "preset `composition-vii`, mosaic", [Mosaic], []),
    new("baseline-waves", "Baseline", "README", "preset `composition-vii`, waves", [Waves], []),
    new("blend-70-30", "Several styles", "styles.md", "mosaic 0.7 + waves 0.3", [Mosaic, Waves], ["--style-blend", "0.7,0.3"]),
    new("blend-30-70", "Several styles", "styles.md", "mosaic 0.3 + waves 0.7", [Mosaic, Waves], ["--style-blend", "0.3,0.7"]),
    new("style-scale-0.5", "Style scale", "style-scale.md", "style at half the content's size: smaller strokes", [Mosaic], ["--style-scale", "0.5"]),
    new("style-scale-2", "Style scale", "style-scale.md", "style at twice the content's size: bigger strokes", [Mosaic], ["--style-scale", "2"]),
    new("colors-luminance", "Original colours", "colors.md", "luminance-only transfer", [Mosaic], ["--preserve-colors", "luminance"]),
    new("colors-histogram", "Original colours", "colors.md", "style recoloured to the content's histogram", [Mosaic], ["--preserve-colors", "histogram"]),
    new("init-noise", "Initialisation", "initialization.md", "noise, seed 1", [Mosaic], ["--init", "noise", "--seed", "1"]),
    new("init-blend", "Initialisation", "initialization.md", "content blended with 50 % noise", [Mosaic], ["--init", "blend", "--init-noise-ratio", "0.5"]),
    new("init-style", "Initialisation", "initialization.md", "the style image", [Mosaic], ["--init", "style"]),
    new("init-image", "Initialisation", "initialization.md", "another image (the waves)", [Mosaic], ["--init", "image", "--init-image", "samples/images/style-waves.png"]),
    new("layers-fine", "Layers and weights", "layers.md", "style from the shallow layers only: fine texture", [Mosaic], ["--style-layers", "relu1,fire3", "--style-weights", "20000,500"]),
    new("layers-deep", "Layers and weights", "layers.md", "deeper style layers only, weights 500:12:1 normalised to sum 1000: larger patterns", [Mosaic], ["--style-layers", "fire3,fire4,fire5", "--style-weights", "500,12,1", "--normalize-style-weights", "1000"]),
    new("content-layers", "Layers and weights", "layers.md", "content from fire2 and fire4 (weights 1, 0.5): firmer structure", [Mosaic], ["--content-layers", "fire2,fire4", "--content-layer-weights", "1,0.5"]),
    new("optimizer-lbfgs", "Optimisers", "optimizers.md", "L-BFGS with its line search, 200 iterations", [Mosaic], ["--optimizer", "lbfgs"]),
    new("optimizer-quick", "Optimisers", "optimizers.md", "the quick schedule: L-BFGS, 40 iterations", [Mosaic], ["--schedule", "quick"]),
    new("spatial-ellipse", "Spatial control", "masks.md", "soft ellipse mask ([mask](images/gallery/mask-ellipse.png))", [Mosaic], ["--mask", "docs/images/gallery/mask-ellipse.png"]),
    new("spatial-per-style", "Spatial control", "masks.md", "mosaic left, waves right ([left](images/gallery/mask-left.png), [right](images/gallery/mask-right.png))", [Mosaic, Waves], ["--style-mask", "docs/images/gallery/mask-left.png", "--style-mask", "docs/images/gallery/mask-right.png"]),
    new("intermediate", "Intermediate results", "intermediate.md", "iterations 50, 100, 150 and 200", [Mosaic], ["--save-every", "50"])
    {
        Frames = ["intermediate-050", "intermediate-100", "intermediate-150"],
    },
    new("tv-strong", "Quality knobs", "quality.md", "total variation 1.0 (preset 0.05): smoother", [Mosaic], ["--tv-weight", "1"]),
    new("content-strong", "Quality knobs", "quality.md", "content weight 0.5 (preset 0.05)", [Mosaic], ["--content-weight", "0.5"]),
    new("strength-0.3", "Quality knobs", "quality.md", "style strength 0.3", [Mosaic], ["--style-strength", "0.3"]),
    new("strength-3", "Quality knobs", "quality.md", "style strength 3", [Mosaic], ["--style-strength", "3"]),
];

var total = Stopwatch.StartNew();
var made = 0;
foreach (var entry in entries.Where(e => settings.Only is null || settings.Only.Contains(e.Name)))
{
    var output = Path.Combine(galleryFolder, entry.Name + ".png");
    string[] command =
    [
        Path.Combine(root, "samples", "images", "content-village.png"),
        .. entry.Styles.Select(s => Path.Combine(root, "samples", "images", s)),
        "-o", output, .. SharedArguments(), "-q",
        .. settings.Passthrough,
        .. entry.Arguments.Select(a => a.StartsWith("docs/", StringComparison.Ordinal) || a.StartsWith("samples/", StringComparison.Ordinal) ? Path.Combine(root, a) : a),
    ];
    var watch = Stopwatch.StartNew();
    var code = await NeuralStyle.Cli.Program.Main(command);
    if (code != 0)
    {
        Console.Error.WriteLine($"gallery: {entry.Name} failed with exit code {code}.");
        return code;
    }

    // The last intermediate result is the final image itself.
    if (entry.Frames.Count > 0)
    {
        foreach (var extra in Directory.GetFiles(galleryFolder, entry.Name + "-*.png").Where(f => !entry.Frames.Contains(Path.GetFileNameWithoutExtension(f))))
        {
            File.Delete(extra);
        }
    }

    made++;
    Console.WriteLine(FormattableString.Invariant($"gallery: {entry.Name} in {watch.Elapsed.TotalSeconds:F0} s"));
}

File.WriteAllText(Path.Combine(root, "docs", "gallery.md"), Markdown(entries), new UTF8Encoding(false));
Console.WriteLine(FormattableString.Invariant($"gallery: wrote docs/gallery.md and {made} of {entries.Length} pictures in {total.Elapsed.TotalMinutes:F1} min"));
return 0;

string[] SharedArguments() => ["--size", settings.Size.ToString(CultureInfo.InvariantCulture)];

string Markdown(IReadOnlyList<Entry> all)
{
    var size = settings.Size.ToString(CultureInfo.InvariantCulture);
    var md = new StringBuilder();
    md.Append(CultureInfo.InvariantCulture, $"""
        # Gallery

        Every control of NeuralStyle on the repository's own sample images, each picture made by the `neural-style` command with
        exactly the arguments shown (the options of `StyleTransferOptions` behind them are on each control's page). Generated by
        `bash eng/make-gallery.sh` (the program `samples/Gallery`) — do not edit by hand.

        | content | style `style-mosaic.png` | style `style-waves.png` |
        | --- | --- | --- |
        | <img src="../samples/images/content-village.png" width="192"> | <img src="../samples/images/style-mosaic.png" width="144"> | <img src="../samples/images/style-waves.png" width="144"> |

        Shared settings: preset `composition-vii` (the default), `--size {size}` (the result's shorter side; the style is resized to the
        same size unless `--style-scale` says otherwise), {settings.Iterations} iterations (Adam unless a row says otherwise), device `{settings.Device}`,
        seed 0. Paths are relative to the repository root;
        every command below starts with `neural-style samples/images/content-village.png` followed by the style images.


        """);
    foreach (var group in all.GroupBy(e => e.Control))
    {
        var page = group.First().Page;
        var link = page == "README" ? "../README.md" : $"controls/{page}";
        md.Append(CultureInfo.InvariantCulture, $"## {group.Key}\n\nSee [{(page == "README" ? "README" : "docs/controls/" + page)}]({link}).\n\n| result | setting | arguments |\n| --- | --- | --- |\n");
        foreach (var e in group)
        {
            var pictures = string.Concat(e.Frames.Append(e.Name).Select(f => $"![{f}](images/gallery/{f}.png)"));
            var styles = string.Join(" ", e.Styles.Select(s => "samples/images/" + s));
            var arguments = string.Join(" ", e.Arguments);
            md.Append(CultureInfo.InvariantCulture, $"| {pictures} | {e.Setting} | `{styles} --size {size}{(arguments.Length > 0 ? " " + arguments : string.Empty)}` |\n");
        }

        md.Append('\n');
    }

    return md.ToString();
}

void SaveMask(SkiaSharp.SKBitmap bitmap, string name)
{
    using (bitmap)
    {
        ImageFile.Save(bitmap, Path.Combine(galleryFolder, name));
    }
}

static (int Size, int Iterations, string Device, HashSet<string>? Only, List<string> Passthrough) ParseArguments(string[] args)
{
    var size = 144;
    var iterations = 200;
    var device = "auto";
    HashSet<string>? only = null;
    var passthrough = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--size":
                size = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "--only":
                only = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                break;
            case "--weights" or "--device" or "--iterations" or "--threads":
                passthrough.AddRange([args[i], value]);
                iterations = args[i] == "--iterations" ? int.Parse(value, CultureInfo.InvariantCulture) : iterations;
                device = args[i] == "--device" ? value : device;
                break;
            default:
                throw new ArgumentException($"Unknown argument {args[i]}. Use --weights, --device, --threads, --size, --iterations, --only.");
        }

        i++;
    }

    return (size, iterations, device, only, passthrough);
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository.");
}
