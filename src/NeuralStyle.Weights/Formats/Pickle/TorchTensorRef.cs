using System;

namespace NeuralStyle.Weights.Pickle;

/// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it: a storage, an element offset, a shape and strides (all checked).</summary>
internal sealed class TorchTensorRef
{
    public TorchTensorRef(TorchStorage storage, long offset, long[] shape, long[] strides, long elementCount)
    {
        Storage = storage;
        Offset = offset;
        Shape = shape;
        Strides = strides;
        ElementCount = elementCount;
    }

    public TorchStorage Storage { get; }

    public long Offset { get; }

    public long[] Shape { get; }

    public long[] Strides { get; }

    public long ElementCount { get; }

    /// <summary>Copies the elements into a new <see cref="WeightTensor"/>.</summary>
    public WeightTensor Materialize(string name, bool bigEndian, WeightReadContext context)
    {
        var root = Storage.Root ?? Storage;
        var buffer = root.Buffer ?? throw context.Fail($"storage {WeightReadContext.Quote(root.Key)} of tensor {WeightReadContext.Quote(name)} has no data.");
        var span = buffer.AsSpan(root.BufferOffset, checked((int)root.ByteLength));
        var values = TensorGather.Gather(span, root.DType, bigEndian, Storage.RootOffset + Offset, Shape, Strides, context);
        return new WeightTensor(name, Shape, values);
    }
}
