using System;
using System.Runtime.InteropServices;
using OpenCvSharp;
using static TorchSharp.torch;

namespace NeuralStyle.Video.Flow;

/// <summary>
/// Dense optical flow between two frames with OpenCV's Farnebäck method (through OpenCvSharp), on the frames' luminance.
/// </summary>
internal static class OpticalFlow
{
    /// <summary>Computes the flow from <paramref name="from"/> to <paramref name="to"/> as a <c>[1,2,H,W]</c> float CPU tensor in pixels.</summary>
    public static Tensor Estimate(VideoFrame from, VideoFrame to)
    {
        if (from.Width != to.Width || from.Height != to.Height)
        {
            throw new ArgumentException($"Frames of different sizes ({from.Width}×{from.Height}, {to.Width}×{to.Height}) have no flow.", nameof(to));
        }

        using var a = Gray(from);
        using var b = Gray(to);
        using var flow = new Mat();
        // Five pyramid levels reach displacements of ~2⁵ × window/2 pixels; a 15-pixel window and Gaussian weighting are
        // OpenCV's recommended robust settings.
        var levels = Math.Max(1, Math.Min(5, (int)Math.Floor(Math.Log2(Math.Min(from.Width, from.Height) / 16.0)) + 1));
        Cv2.CalcOpticalFlowFarneback(a, b, flow, 0.5, levels, 15, 5, 7, 1.5, OpticalFlowFlags.FarnebackGaussian);
        var values = new float[from.Width * from.Height * 2];
        if (!flow.IsContinuous())
        {
            throw new InvalidOperationException("OpenCV returned a non-contiguous flow.");
        }

        Marshal.Copy(flow.Data, values, 0, values.Length);
        using var hw2 = tensor(values, [from.Height, from.Width, 2]);
        return hw2.permute(2, 0, 1).unsqueeze(0).contiguous();
    }

    private static Mat Gray(VideoFrame frame)
    {
        using var rgb = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, frame.Rgb);
        var gray = new Mat();
        Cv2.CvtColor(rgb, gray, ColorConversionCodes.RGB2GRAY);
        return gray;
    }
}
