using System;
using NeuralStyle.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Video;

/// <summary>One decoded frame: packed 8-bit RGB, row by row.</summary>
internal sealed class VideoFrame
{
    public VideoFrame(byte[] rgb, int width, int height)
    {
        if (rgb.Length != checked(width * height * 3))
        {
            throw new ArgumentException($"A {width}×{height} RGB frame has {width * height * 3} bytes, not {rgb.Length}.", nameof(rgb));
        }

        Rgb = rgb;
        Width = width;
        Height = height;
    }

    public byte[] Rgb { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>An opaque RGBA bitmap of the frame; the caller disposes it.</summary>
    public SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < Rgb.Length; i += 3, j += 4)
        {
            pixels[j] = Rgb[i];
            pixels[j + 1] = Rgb[i + 1];
            pixels[j + 2] = Rgb[i + 2];
            pixels[j + 3] = 255;
        }

        return bitmap;
    }

    /// <summary>The frame as a normalised <c>[1,3,H,W]</c> CPU tensor (see <see cref="ImageTensor"/>).</summary>
    public Tensor ToTensor()
    {
        using var bitmap = ToBitmap();
        return ImageTensor.FromBitmap(bitmap);
    }

    /// <summary>Reads a bitmap (any colour type) into a frame of its size.</summary>
    public static VideoFrame FromBitmap(SKBitmap bitmap)
    {
        using var rgba = bitmap.Copy(SKColorType.Rgba8888) ?? throw new InvalidOperationException("The bitmap could not be converted to RGBA.");
        var pixels = rgba.GetPixelSpan();
        var rgb = new byte[bitmap.Width * bitmap.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = pixels[j];
            rgb[i + 1] = pixels[j + 1];
            rgb[i + 2] = pixels[j + 2];
        }

        return new VideoFrame(rgb, bitmap.Width, bitmap.Height);
    }
}
