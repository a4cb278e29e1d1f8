using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using SkiaSharp;

namespace NeuralStyle.Video.Work;

/// <summary>
/// A digest of everything a run's frames depend on: the input file (path, length, modification time), the style images'
/// pixels, and every option (bitmaps by their pixels, custom losses by their type). A work folder is resumed only by a run
/// with the same digest.
/// </summary>
internal static class RunFingerprint
{
    public static string Compute(string input, IReadOnlyList<SKBitmap> styles, VideoStyleTransferOptions options, int width, int height)
    {
        var text = new StringBuilder();
        var file = new FileInfo(input);
        text.Append(CultureInfo.InvariantCulture, $"input={file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}|{width}x{height}\n");
        foreach (var style in styles)
        {
            text.Append("style=").Append(PixelDigest(style)).Append('\n');
        }

        Append(text, "video", options, skip: [nameof(VideoStyleTransferOptions.Style), nameof(VideoStyleTransferOptions.WorkFolder), nameof(VideoStyleTransferOptions.KeepWorkFolder), nameof(VideoStyleTransferOptions.FfmpegFolder)]);
        Append(text, "still", options.Style, skip: ["Runtime.Logger", "Optimizer.ProgressInterval", "Optimizer.PreviewInterval", "Weights.Logger", "Weights.HttpClient"]);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // The options' properties by name; nested option records (StyleTransferOptions.Optimizer, …) property by property,
    // skipped by their path (Runtime.Logger).
    private static void Append(StringBuilder text, string prefix, object options, string[] skip, string path = "")
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var name = path + property.Name;
            if (skip.Contains(name) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var value = property.GetValue(options);
            if (value is not null && IsOptionRecord(value.GetType()))
            {
                Append(text, prefix, value, skip, name + ".");
                continue;
            }

            text.Append(prefix).Append('.').Append(name).Append('=').Append(Format(value)).Append('\n');
        }
    }

    private static bool IsOptionRecord(Type type)
        => type.Namespace?.StartsWith("NeuralStyle", StringComparison.Ordinal) == true && type.Name.EndsWith("Options", StringComparison.Ordinal);

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        SKBitmap bitmap => PixelDigest(bitmap),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Format)) + "]",
        _ => value.GetType().FullName ?? "?",
    };

    private static string PixelDigest(SKBitmap bitmap)
    {
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var pixels = rgba is null ? [] : rgba.GetPixelSpan();
        return string.Create(CultureInfo.InvariantCulture, $"{bitmap.Width}x{bitmap.Height}:{Convert.ToHexString(SHA256.HashData(pixels))}");
    }
}
