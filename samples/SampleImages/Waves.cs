using System;
using SkiaSharp;

namespace SampleImages;

/// <summary>A style image: overlapping fans of concentric, wobbling rings in blues and golds on navy, like stylised waves.</summary>
internal static class Waves
{
    private static readonly SKColor[] Blues = [new(28, 84, 196), new(62, 150, 228), new(150, 208, 248), new(236, 244, 255)];
    private static readonly SKColor[] Golds = [new(232, 180, 48), new(196, 136, 28), new(252, 218, 112)];
    private static readonly SKColor Navy = new(12, 26, 72);

    public static SKBitmap Draw(int width, int height)
    {
        var rng = new Rng(19);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(Navy);

        const float Radius = 50, RowStep = 30, ColumnStep = 84;
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = Navy };
        using var stroke = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round };

        // Rows from the top down, so every fan covers the lower half of the fans behind it (seigaiha-like).
        int row = 0;
        for (float cy = -10; cy < height + Radius; cy += RowStep, row++)
        {
            float offset = (row % 2) * (ColumnStep / 2);
            for (float cx = -ColumnStep + offset; cx < width + ColumnStep; cx += ColumnStep)
            {
                float phase = rng.Range(0, MathF.Tau);
                bool gold = rng.NextFloat() < 0.3f;
                canvas.DrawCircle(cx, cy, Radius + 2, fill);
                int ring = 0;
                for (float r = Radius; r > 4; r -= 6.5f, ring++)
                {
                    using var path = WobblyRing(cx, cy, r, amplitude: 1.2f + (r * 0.035f), waves: 7, phase + (ring * 0.7f));
                    var palette = (gold ? ring % 3 != 2 : ring % 3 == 2) ? Golds : Blues;
                    stroke.Color = palette[(ring + row) % palette.Length];
                    stroke.StrokeWidth = rng.Range(2.5f, 4.5f);
                    canvas.DrawPath(path, stroke);
                }
            }
        }

        // Gold spray, like foam.
        using var dot = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        for (int i = 0; i < 500; i++)
        {
            dot.Color = Golds[rng.Index(Golds.Length)].WithAlpha((byte)rng.Range(120, 230));
            canvas.DrawCircle(rng.Range(0, width), rng.Range(0, height), rng.Range(0.8f, 2.4f), dot);
        }

        return bitmap;
    }

    private static SKPath WobblyRing(float cx, float cy, float radius, float amplitude, int waves, float phase)
    {
        var path = new SKPath();
        const int Points = 120;
        for (int i = 0; i <= Points; i++)
        {
            float theta = i * MathF.Tau / Points;
            float r = radius + (amplitude * MathF.Sin((waves * theta) + phase));
            float x = cx + (r * MathF.Cos(theta)), y = cy + (r * MathF.Sin(theta));
            if (i == 0)
            {
                path.MoveTo(x, y);
            }
            else
            {
                path.LineTo(x, y);
            }
        }

        path.Close();
        return path;
    }
}
