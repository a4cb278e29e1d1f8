using System;
using SkiaSharp;

namespace Gallery;

/// <summary>Draws the gallery's mask images (white = stylise, black = keep the content).</summary>
internal static class Masks
{
    public const int Width = 192;
    public const int Height = 144;

    /// <summary>A soft ellipse in the middle: the houses stylised, the borders kept.</summary>
    public static SKBitmap Ellipse()
    {
        var bitmap = New();
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.Black);
        using var shader = SKShader.CreateRadialGradient(
            new SKPoint(Width / 2f, Height * 0.6f), Width * 0.42f, [SKColors.White, SKColors.White, SKColors.Black], [0f, 0.6f, 1f], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.Save();
        canvas.Scale(1f, 0.8f, Width / 2f, Height * 0.6f);
        canvas.DrawRect(new SKRect(0, 0, Width, Height / 0.8f), paint);
        canvas.Restore();
        return bitmap;
    }

    /// <summary>The left (or right) part, with a soft edge around the middle.</summary>
    public static SKBitmap Side(bool left)
    {
        var bitmap = New();
        using var canvas = new SKCanvas(bitmap);
        SKColor inside = SKColors.White, outside = SKColors.Black;
        using var shader = SKShader.CreateLinearGradient(
            new SKPoint(Width * 0.4f, 0), new SKPoint(Width * 0.6f, 0), left ? [inside, outside] : [outside, inside], SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawRect(new SKRect(0, 0, Width, Height), paint);
        return bitmap;
    }

    private static SKBitmap New() => new(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
}
