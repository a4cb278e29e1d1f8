using System;

namespace NeuralStyle.Video;

/// <summary>A progress report of a running video style transfer.</summary>
/// <param name="Frame">The frame this report is about (1-based).</param>
/// <param name="FrameCount">The number of frames the container announces (an estimate for some formats).</param>
/// <param name="Iteration">The iterations of this frame done so far.</param>
/// <param name="FrameIterations">The iterations this frame will do.</param>
/// <param name="Losses">The frame's loss terms at this iteration (the final ones when <see cref="FrameCompleted"/>); <see langword="null"/> for a resumed frame.</param>
/// <param name="Elapsed">The time since the run started.</param>
/// <param name="Remaining">The estimated time to the end, from the frames stylised so far; <see langword="null"/> until one has been.</param>
public sealed record VideoStyleTransferProgress(int Frame, long FrameCount, int Iteration, int FrameIterations, LossValues? Losses, TimeSpan Elapsed, TimeSpan? Remaining)
{
    /// <summary>Gets a value indicating whether the frame is finished (and saved in the work folder).</summary>
    /// <value><see langword="true"/> on the last report of each frame.</value>
    public bool FrameCompleted { get; init; }

    /// <summary>Gets a value indicating whether the frame was taken from the work folder of an interrupted run.</summary>
    /// <value><see langword="true"/> for resumed frames.</value>
    public bool Resumed { get; init; }

    /// <summary>Gets the time the frame took (warping and flow included).</summary>
    /// <value>Zero for a resumed frame and before the frame is completed.</value>
    public TimeSpan FrameElapsed { get; init; }

    /// <summary>Gets the fraction of the whole video done.</summary>
    /// <value>From 0 to 1.</value>
    public double Fraction => FrameCount <= 0 ? 0 : Math.Min(1, (Frame - 1 + (FrameIterations == 0 ? 1 : (double)Iteration / FrameIterations)) / FrameCount);
}
