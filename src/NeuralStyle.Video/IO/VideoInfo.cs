using System;

namespace NeuralStyle.Video.IO;

/// <summary>What a video's header says about its first video stream.</summary>
/// <param name="Width">The width of the frames in pixels, rotation applied.</param>
/// <param name="Height">The height of the frames in pixels, rotation applied.</param>
/// <param name="FrameRate">The constant frame rate in frames per second.</param>
/// <param name="FrameRateText">The frame rate as ffprobe states it, a fraction such as <c>30000/1001</c>.</param>
/// <param name="FrameCount">The number of frames (the container's count, or duration × rate when it has none).</param>
/// <param name="FrameCountStated">Whether the container states the frame count (MP4, MOV) rather than it being estimated.</param>
/// <param name="Duration">The duration of the video stream.</param>
/// <param name="HasAudio">Whether the file has an audio stream.</param>
/// <param name="Codec">The video codec's name.</param>
internal sealed record VideoInfo(int Width, int Height, double FrameRate, string FrameRateText, long FrameCount, bool FrameCountStated, TimeSpan Duration, bool HasAudio, string Codec);
