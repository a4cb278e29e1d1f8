using SkiaSharp;

namespace NeuralStyle.Orleans.Execution;

/// <summary>How a running job's previews are sent to watchers: JPEG, which encodes several times faster than PNG and is smaller; results stay PNG.</summary>
internal static class PreviewEncoding
{
    /// <summary>The media type of a running job's preview (<see cref="Client.JobSnapshot.PreviewMediaType"/>).</summary>
    public const string MediaType = "image/jpeg";

    /// <summary>The JPEG quality of previews (0–100).</summary>
    public const int Quality = 85;

    /// <summary>Encodes a preview.</summary>
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, Quality);
        return data.ToArray();
    }
}
