using System;
using System.IO;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>The golden numbers of <c>shared/golden/squeezenet_golden.json</c> and its formula-defined inputs.</summary>
internal static class Golden
{
    public const int Height = 96;
    public const int Width = 128;

    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(SharedAssets.GoldenJson)));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>A[0,c,h,w] = sin(0.05h + 0.031w + 1.7c) · 1.5 (already normalised).</summary>
    public static Tensor InputA() => Make((c, h, w) => Math.Sin((0.05 * h) + (0.031 * w) + (1.7 * c)) * 1.5);

    /// <summary>B[0,c,h,w] = cos(0.023h − 0.041w + 0.9c) · 1.2 + 0.1c (already normalised).</summary>
    public static Tensor InputB() => Make((c, h, w) => (Math.Cos((0.023 * h) - (0.041 * w) + (0.9 * c)) * 1.2) + (0.1 * c));

    private static Tensor Make(Func<int, int, int, double> f)
    {
        // Computed in double then rounded to float, as the reference does.
        var values = new float[3 * Height * Width];
        var i = 0;
        for (var c = 0; c < 3; c++)
        {
            for (var h = 0; h < Height; h++)
            {
                for (var w = 0; w < Width; w++)
                {
                    values[i++] = (float)f(c, h, w);
                }
            }
        }

        return torch.tensor(values, [1, 3, Height, Width]);
    }
}
