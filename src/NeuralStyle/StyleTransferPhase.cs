namespace NeuralStyle;

/// <summary>What a style transfer is doing when it reports progress (<see cref="StyleTransferProgress.Phase"/>).</summary>
public enum StyleTransferPhase
{
    /// <summary>Reading (or downloading) the network's weights.</summary>
    LoadingWeights,

    /// <summary>Decoding, resizing and moving the images and masks to the device.</summary>
    PreparingInputs,

    /// <summary>Computing the content and style targets of a stage.</summary>
    ComputingTargets,

    /// <summary>Optimising the pixels; reports in this phase carry the losses.</summary>
    Optimizing,

    /// <summary>Compositing, preserving colours and converting the result.</summary>
    Finishing,
}
