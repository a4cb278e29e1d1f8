namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// A storage named by a persistent id: either a root storage whose bytes the format reader supplies after the pickle
/// is read, or a view of a root storage (legacy files only).
/// </summary>
internal sealed class TorchStorage
{
    private TorchStorage(string key, TensorDType dtype, long numel, TorchStorage? root, long rootOffset)
    {
        Key = key;
        DType = dtype;
        Numel = numel;
        Root = root;
        RootOffset = rootOffset;
    }

    public string Key { get; }

    public TensorDType DType { get; }

    /// <summary>Gets the number of elements.</summary>
    public long Numel { get; }

    /// <summary>Gets the storage this one is a view of, or null for a root storage.</summary>
    public TorchStorage? Root { get; }

    /// <summary>Gets the element offset of a view in its root.</summary>
    public long RootOffset { get; }

    /// <summary>Gets the bytes of a root storage once supplied: <c>Numel * element size</c> bytes of <see cref="Buffer"/> from <see cref="BufferOffset"/>.</summary>
    public byte[]? Buffer { get; private set; }

    public int BufferOffset { get; private set; }

    public long ByteLength => Numel * TensorDTypes.ElementSize(DType);

    public static TorchStorage CreateRoot(string key, TensorDType dtype, long numel) => new(key, dtype, numel, null, 0);

    public static TorchStorage CreateView(string key, TorchStorage root, long offset, long numel) => new(key, root.DType, numel, root, offset);

    /// <summary>Supplies the bytes of a root storage; the caller has checked that <see cref="ByteLength"/> bytes are there.</summary>
    public void SetData(byte[] buffer, int offset)
    {
        Buffer = buffer;
        BufferOffset = offset;
    }
}
