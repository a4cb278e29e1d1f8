namespace NeuralStyle.Internal;

/// <summary>Image size arithmetic shared by bitmaps and tensors.</summary>
internal static class ImageGeometry
{
    /// <summary>The size with the shorter side set to <paramref name="shorterSide"/>, as torchvision's <c>Resize(int)</c> computes it.</summary>
    public static (long Height, long Width) ScaleShorterSide(long height, long width, int shorterSide)
    {
        // torchvision: the longer side is int(size * long / short), truncated.
        return height <= width
            ? (shorterSide, (long)(shorterSide * (double)width / height))
            : ((long)(shorterSide * (double)height / width), shorterSide);
    }
}
