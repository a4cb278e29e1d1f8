namespace NeuralStyle.Weights;

/// <summary>The weight file formats that <see cref="WeightFileReader"/> understands.</summary>
public enum WeightFileFormat
{
    /// <summary>Hugging Face safetensors: a length-prefixed JSON header followed by raw little-endian tensor data.</summary>
    SafeTensors,

    /// <summary>A <c>torch.save</c> file in PyTorch's zip format (PyTorch 1.6 and later): a pickle plus one zip entry per storage.</summary>
    PyTorchZip,

    /// <summary>A <c>torch.save</c> file in PyTorch's legacy format (before 1.6): a sequence of pickles followed by the raw storages.</summary>
    PyTorchLegacy,
}
