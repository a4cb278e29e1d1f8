using System;

namespace NeuralStyle.Video;

/// <summary>What a finished video style transfer did.</summary>
/// <param name="OutputPath">The video written.</param>
/// <param name="FrameCount">The frames in it.</param>
/// <param name="ResumedFrames">The frames taken from an interrupted run's work folder.</param>
/// <param name="Width">The frames' width in pixels.</param>
/// <param name="Height">The frames' height in pixels.</param>
/// <param name="FrameRate">The frame rate, the input's.</param>
/// <param name="Iterations">The iterations done by this run (resumed frames not counted).</param>
/// <param name="Elapsed">The wall time of this run.</param>
public sealed record VideoStyleTransferResult(string OutputPath, long FrameCount, long ResumedFrames, int Width, int Height, double FrameRate, long Iterations, TimeSpan Elapsed);
