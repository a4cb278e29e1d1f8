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
        Append(text, "still", options.Style, skip: ["Logger", "ProgressInterval", "PreviewInterval"]);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Append(StringBuilder text, string prefix, object options, string[] skip)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (skip.Contains(property.Name) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            text.Append(prefix).Append('.').Append(property.Name).Append('=').Append(Format(property.GetValue(options))).Append('\n');
        }
    }

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
