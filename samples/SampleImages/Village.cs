using System;
using SkiaSharp;

namespace SampleImages;

/// <summary>A content image: a village under a sunny sky, with clear shapes and edges that a stylisation should keep.</summary>
internal static class Village
{
    private static readonly SKColor Outline = new(45, 35, 35);

    public static SKBitmap Draw(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Scale(width / 512f, height / 384f);

        DrawSky(canvas);
        DrawSun(canvas, 415, 78);
        DrawCloud(canvas, 95, 70, 1.0f);
        DrawCloud(canvas, 250, 45, 0.75f);
        DrawHills(canvas);
        DrawRoad(canvas);

        DrawConifer(canvas, 28, 292, 70);
        DrawTree(canvas, 128, 286, 26);
        DrawHouse(canvas, 52, 300, 62, 48, new SKColor(242, 228, 195), new SKColor(175, 52, 42), chimney: true);
        DrawHouse(canvas, 160, 292, 78, 56, new SKColor(222, 125, 92), new SKColor(92, 62, 52), chimney: false);
        DrawConifer(canvas, 262, 284, 64);
        DrawHouse(canvas, 290, 298, 70, 50, new SKColor(200, 212, 232), new SKColor(58, 82, 142), chimney: true);
        DrawTree(canvas, 388, 290, 30);
        DrawHouse(canvas, 410, 306, 60, 44, new SKColor(250, 240, 218), new SKColor(182, 92, 40), chimney: false);

        DrawTree(canvas, 470, 352, 40);
        DrawTree(canvas, 60, 372, 36);
        DrawFence(canvas, 150, 360, 360);
        return bitmap;
    }

    private static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };

    private static SKPaint Stroke(SKColor color, float width) => new()
    {
        Color = color,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeWidth = width,
        StrokeJoin = SKStrokeJoin.Round,
        StrokeCap = SKStrokeCap.Round,
    };

    private static void DrawSky(SKCanvas canvas)
    {
        using var shader = SKShader.CreateLinearGradient(
            new SKPoint(0, 0),
            new SKPoint(0, 260),
            [new SKColor(38, 88, 172), new SKColor(120, 180, 232), new SKColor(250, 214, 168)],
            [0f, 0.65f, 1f],
            SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawRect(0, 0, 512, 384, paint);
    }

    private static void DrawSun(SKCanvas canvas, float x, float y)
    {
        using var glowShader = SKShader.CreateRadialGradient(
            new SKPoint(x, y), 95, [new SKColor(255, 240, 150, 170), new SKColor(255, 240, 150, 0)], SKShaderTileMode.Clamp);
        using var glow = new SKPaint { Shader = glowShader, IsAntialias = true };
        canvas.DrawCircle(x, y, 95, glow);
        using var rays = Stroke(new SKColor(255, 205, 60), 4);
        for (int i = 0; i < 12; i++)
        {
            float a = i * MathF.PI / 6;
            canvas.DrawLine(x + (44 * MathF.Cos(a)), y + (44 * MathF.Sin(a)), x + (60 * MathF.Cos(a)), y + (60 * MathF.Sin(a)), rays);
        }

        using var disk = Fill(new SKColor(255, 214, 58));
        canvas.DrawCircle(x, y, 34, disk);
        using var rim = Stroke(new SKColor(235, 150, 30), 3);
        canvas.DrawCircle(x, y, 34, rim);
    }

    private static void DrawCloud(SKCanvas canvas, float x, float y, float scale)
    {
        using var paint = Fill(new SKColor(255, 255, 255, 235));
        canvas.DrawOval(x, y, 46 * scale, 16 * scale, paint);
        canvas.DrawCircle(x - (18 * scale), y - (8 * scale), 17 * scale, paint);
        canvas.DrawCircle(x + (10 * scale), y - (14 * scale), 22 * scale, paint);
        canvas.DrawCircle(x + (32 * scale), y - (4 * scale), 14 * scale, paint);
    }

    private static void DrawHills(SKCanvas canvas)
    {
        using var far = new SKPath();
        far.MoveTo(0, 232);
        far.CubicTo(90, 170, 170, 205, 250, 215);
        far.CubicTo(330, 225, 420, 165, 512, 200);
        far.LineTo(512, 384);
        far.LineTo(0, 384);
        far.Close();
        using (var paint = Fill(new SKColor(104, 150, 130)))
        {
            canvas.DrawPath(far, paint);
        }

        using var middle = new SKPath();
        middle.MoveTo(0, 280);
        middle.CubicTo(110, 240, 220, 250, 300, 268);
        middle.CubicTo(380, 286, 450, 250, 512, 262);
        middle.LineTo(512, 384);
        middle.LineTo(0, 384);
        middle.Close();
        using (var paint = Fill(new SKColor(88, 156, 62)))
        {
            canvas.DrawPath(middle, paint);
        }

        using (var edge = Stroke(new SKColor(50, 100, 40), 2))
        {
            canvas.DrawPath(middle, edge);
        }

        using var near = new SKPath();
        near.MoveTo(0, 330);
        near.CubicTo(140, 312, 300, 322, 512, 318);
        near.LineTo(512, 384);
        near.LineTo(0, 384);
        near.Close();
        using (var paint = Fill(new SKColor(62, 128, 46)))
        {
            canvas.DrawPath(near, paint);
        }
    }

    private static void DrawRoad(SKCanvas canvas)
    {
        using var road = new SKPath();
        road.MoveTo(236, 384);
        road.CubicTo(250, 350, 200, 330, 232, 300);
        road.LineTo(250, 300);
        road.CubicTo(232, 330, 300, 350, 300, 384);
        road.Close();
        using var fill = Fill(new SKColor(214, 180, 126));
        using var edge = Stroke(new SKColor(140, 105, 60), 2);
        canvas.DrawPath(road, fill);
        canvas.DrawPath(road, edge);
    }

    private static void DrawHouse(SKCanvas canvas, float left, float bottom, float width, float wallHeight, SKColor wall, SKColor roof, bool chimney)
    {
        float top = bottom - wallHeight;
        float roofHeight = width * 0.55f;
        using var outline = Stroke(Outline, 2);

        if (chimney)
        {
            using var brick = Fill(new SKColor(150, 70, 55));
            var stack = SKRect.Create(left + (width * 0.68f), top - (roofHeight * 0.85f), width * 0.13f, roofHeight * 0.6f);
            canvas.DrawRect(stack, brick);
            canvas.DrawRect(stack, outline);
        }

        var walls = SKRect.Create(left, top, width, wallHeight);
        using (var paint = Fill(wall))
        {
            canvas.DrawRect(walls, paint);
        }

        canvas.DrawRect(walls, outline);

        using var roofPath = new SKPath();
        roofPath.MoveTo(left - 8, top + 2);
        roofPath.LineTo(left + (width / 2), top - roofHeight);
        roofPath.LineTo(left + width + 8, top + 2);
        roofPath.Close();
        using (var paint = Fill(roof))
        {
            canvas.DrawPath(roofPath, paint);
        }

        canvas.DrawPath(roofPath, outline);

        // A door and two windows with crossed frames.
        using var doorPaint = Fill(new SKColor(110, 70, 40));
        var door = SKRect.Create(left + (width * 0.42f), bottom - (wallHeight * 0.55f), width * 0.18f, wallHeight * 0.55f);
        canvas.DrawRect(door, doorPaint);
        canvas.DrawRect(door, outline);

        using var glass = Fill(new SKColor(255, 232, 128));
        using var frame = Stroke(Outline, 1.5f);
        foreach (float wx in new[] { left + (width * 0.1f), left + (width * 0.68f) })
        {
            var window = SKRect.Create(wx, top + (wallHeight * 0.22f), width * 0.2f, wallHeight * 0.3f);
            canvas.DrawRect(window, glass);
            canvas.DrawRect(window, outline);
            canvas.DrawLine(window.MidX, window.Top, window.MidX, window.Bottom, frame);
            canvas.DrawLine(window.Left, window.MidY, window.Right, window.MidY, frame);
        }
    }

    private static void DrawTree(SKCanvas canvas, float x, float bottom, float size)
    {
        using var trunk = Fill(new SKColor(105, 68, 36));
        using var outline = Stroke(new SKColor(30, 60, 25), 2);
        var stem = SKRect.Create(x - (size * 0.12f), bottom - (size * 1.1f), size * 0.24f, size * 1.1f);
        canvas.DrawRect(stem, trunk);
        using var bark = Stroke(new SKColor(60, 40, 20), 1.5f);
        canvas.DrawRect(stem, bark);

        using var dark = Fill(new SKColor(42, 112, 42));
        using var light = Fill(new SKColor(72, 150, 56));
        float cy = bottom - (size * 1.5f);
        canvas.DrawCircle(x - (size * 0.45f), cy + (size * 0.15f), size * 0.55f, dark);
        canvas.DrawCircle(x + (size * 0.45f), cy + (size * 0.15f), size * 0.55f, dark);
        canvas.DrawCircle(x, cy - (size * 0.25f), size * 0.7f, light);
        canvas.DrawCircle(x, cy - (size * 0.25f), size * 0.7f, outline);
    }

    private static void DrawConifer(SKCanvas canvas, float x, float bottom, float height)
    {
        using var trunk = Fill(new SKColor(95, 60, 32));
        canvas.DrawRect(SKRect.Create(x - 4, bottom - 12, 8, 12), trunk);
        using var needles = Fill(new SKColor(28, 88, 52));
        using var outline = Stroke(new SKColor(15, 50, 30), 1.5f);
        for (int tier = 0; tier < 3; tier++)
        {
            float tierBottom = bottom - 10 - (tier * height * 0.25f);
            float half = height * (0.32f - (tier * 0.07f));
            using var path = new SKPath();
            path.MoveTo(x - half, tierBottom);
            path.LineTo(x, tierBottom - (height * 0.45f));
            path.LineTo(x + half, tierBottom);
            path.Close();
            canvas.DrawPath(path, needles);
            canvas.DrawPath(path, outline);
        }
    }

    private static void DrawFence(SKCanvas canvas, float from, float to, float bottom)
    {
        using var wood = Fill(new SKColor(236, 222, 196));
        using var outline = Stroke(new SKColor(90, 70, 50), 1.5f);
        var rail = SKRect.Create(from, bottom - 20, to - from, 5);
        canvas.DrawRect(rail, wood);
        canvas.DrawRect(rail, outline);
        for (float x = from; x <= to - 8; x += 18)
        {
            using var picket = new SKPath();
            picket.MoveTo(x, bottom);
            picket.LineTo(x, bottom - 28);
            picket.LineTo(x + 4, bottom - 33);
            picket.LineTo(x + 8, bottom - 28);
            picket.LineTo(x + 8, bottom);
            picket.Close();
            canvas.DrawPath(picket, wood);
            canvas.DrawPath(picket, outline);
        }
    }
}
