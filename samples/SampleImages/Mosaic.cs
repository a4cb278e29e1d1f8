using System;
using SkiaSharp;

namespace SampleImages;

/// <summary>A style image: stained-glass tiles in a strong palette, painted over with swirling brush strokes.</summary>
internal static class Mosaic
{
    private static readonly SKColor[] Palette =
    [
        new(200, 30, 50),   // crimson
        new(245, 130, 20),  // orange
        new(250, 200, 40),  // gold
        new(0, 140, 140),   // teal
        new(30, 70, 190),   // cobalt
        new(110, 40, 150),  // violet
        new(220, 50, 140),  // magenta
        new(140, 200, 40),  // lime
        new(245, 235, 210), // cream
    ];

    public static SKBitmap Draw(int width, int height)
    {
        var rng = new Rng(20240611);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        DrawTiles(bitmap, rng, cells: 240);
        using var canvas = new SKCanvas(bitmap);
        DrawStrokes(canvas, rng, width, height, count: 1100);
        return bitmap;
    }

    // Voronoi tiles: every pixel takes the colour of its nearest seed, shaded towards the seed; dark grout where two cells meet.
    private static void DrawTiles(SKBitmap bitmap, Rng rng, int cells)
    {
        int width = bitmap.Width, height = bitmap.Height;
        var sx = new float[cells];
        var sy = new float[cells];
        var colours = new SKColor[cells];
        for (int i = 0; i < cells; i++)
        {
            sx[i] = rng.Range(0, width);
            sy[i] = rng.Range(0, height);
            colours[i] = Palette[rng.Index(Palette.Length)];
        }

        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float best = float.MaxValue, second = float.MaxValue;
                int nearest = 0;
                for (int i = 0; i < cells; i++)
                {
                    float dx = x - sx[i], dy = y - sy[i];
                    float d = (dx * dx) + (dy * dy);
                    if (d < best)
                    {
                        second = best;
                        best = d;
                        nearest = i;
                    }
                    else if (d < second)
                    {
                        second = d;
                    }
                }

                float gap = MathF.Sqrt(second) - MathF.Sqrt(best);
                var c = colours[nearest];
                float shade = gap < 2.2f ? 0.12f : 1.05f - (0.3f * MathF.Min(1, MathF.Sqrt(best) / 28));
                int p = ((y * width) + x) * 4;
                pixels[p] = (byte)Math.Clamp(c.Red * shade, 0, 255);
                pixels[p + 1] = (byte)Math.Clamp(c.Green * shade, 0, 255);
                pixels[p + 2] = (byte)Math.Clamp(c.Blue * shade, 0, 255);
                pixels[p + 3] = 255;
            }
        }
    }

    // Curved strokes that follow a swirling flow field, each with a thin lighter highlight, like loaded brush marks.
    private static void DrawStrokes(SKCanvas canvas, Rng rng, int width, int height, int count)
    {
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };
        for (int s = 0; s < count; s++)
        {
            float x = rng.Range(-20, width + 20), y = rng.Range(-20, height + 20);
            int steps = 5 + rng.Index(9);
            float step = rng.Range(5, 10);
            using var path = new SKPath();
            path.MoveTo(x, y);
            for (int k = 0; k < steps; k++)
            {
                float angle = FlowAngle(x, y);
                float mx = x + (step * MathF.Cos(angle)), my = y + (step * MathF.Sin(angle));
                float angle2 = FlowAngle(mx, my);
                x = mx + (step * MathF.Cos(angle2));
                y = my + (step * MathF.Sin(angle2));
                path.QuadTo(mx, my, x, y);
            }

            var colour = Palette[rng.Index(Palette.Length)];
            float strokeWidth = rng.Range(3, 11);
            paint.StrokeWidth = strokeWidth;
            paint.Color = colour.WithAlpha((byte)rng.Range(150, 235));
            canvas.DrawPath(path, paint);

            paint.StrokeWidth = strokeWidth * 0.3f;
            paint.Color = Lighten(colour, 0.45f).WithAlpha(170);
            canvas.DrawPath(path, paint);
        }
    }

    private static float FlowAngle(float x, float y)
        => MathF.PI * ((1.3f * MathF.Sin(x * 0.012f)) + (1.1f * MathF.Cos(y * 0.015f)) + (0.6f * MathF.Sin((x + y) * 0.021f)));

    private static SKColor Lighten(SKColor c, float amount)
        => new((byte)(c.Red + ((255 - c.Red) * amount)), (byte)(c.Green + ((255 - c.Green) * amount)), (byte)(c.Blue + ((255 - c.Blue) * amount)));
}
