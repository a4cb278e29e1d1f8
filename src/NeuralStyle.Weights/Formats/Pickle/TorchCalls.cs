using System.Globalization;

namespace NeuralStyle.Weights.Pickle;

/// <summary>The C# handlers of the allowed globals that a pickle may call (REDUCE) or instantiate (NEWOBJ).</summary>
internal static class TorchCalls
{
    /// <summary>The most dimensions a tensor may have (PyTorch allows 64).</summary>
    private const int MaxRank = 64;

    public static object Call(WeightReadContext context, PickleGlobal callable, PickleTuple args)
    {
        switch (callable.Kind)
        {
            case PickleGlobalKind.OrderedDict when args.Count == 0:
                return new PickleDict();

            case PickleGlobalKind.RebuildTensor when args.Count == 4:
                // _rebuild_tensor(storage, storage_offset, size, stride)
                return Rebuild(context, args);

            case PickleGlobalKind.RebuildTensorV2 when args.Count is 6 or 7:
                // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                return Rebuild(context, args);

            case PickleGlobalKind.RebuildParameter when args.Count == 3:
            case PickleGlobalKind.RebuildParameterWithState when args.Count == 4:
                // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the parameter is its data.
                return args[0] is TorchTensorRef data
                    ? data
                    : throw context.Fail($"{callable.Name} is given a {PickleText.TypeName(args[0])} instead of a tensor.");

            case PickleGlobalKind.RebuildFromTypeV2 when args.Count == 4:
                // _rebuild_from_type_v2(func, new_type, args, state): only plain tensors and parameters.
                if (args[0] is not PickleGlobal { Kind: PickleGlobalKind.RebuildTensor or PickleGlobalKind.RebuildTensorV2 or PickleGlobalKind.RebuildParameter } func
                    || args[1] is not PickleGlobal { Kind: PickleGlobalKind.TensorType or PickleGlobalKind.ParameterType }
                    || args[2] is not PickleTuple innerArgs)
                {
                    throw context.Fail($"{callable.Name} is given arguments other than a tensor rebuild function, tensor type and argument tuple.");
                }

                return Call(context, func, innerArgs);

            default:
                throw context.Fail(string.Create(CultureInfo.InvariantCulture, $"'{callable.Name}' cannot be called with {args.Count} arguments."));
        }
    }

    public static object New(WeightReadContext context, PickleGlobal type, PickleTuple args)
        => type.Kind == PickleGlobalKind.OrderedDict && args.Count == 0
            ? new PickleDict()
            : throw context.Fail($"'{type.Name}' cannot be instantiated.");

    private static TorchTensorRef Rebuild(WeightReadContext context, PickleTuple args)
    {
        if (args[0] is not TorchStorage storage)
        {
            throw context.Fail($"a tensor is rebuilt from a {PickleText.TypeName(args[0])} instead of a storage.");
        }

        if (args[1] is not long offset || offset < 0)
        {
            throw context.Fail($"a tensor on storage {WeightReadContext.Quote(storage.Key)} has an invalid storage offset {PickleText.Describe(args[1])}.");
        }

        if (args[2] is not PickleTuple size || args[3] is not PickleTuple stride || size.Count != stride.Count || size.Count > MaxRank)
        {
            throw context.Fail($"a tensor on storage {WeightReadContext.Quote(storage.Key)} has a size and stride that are not tuples of the same length (at most {MaxRank}).");
        }

        var rank = size.Count;
        var shape = new long[rank];
        var strides = new long[rank];
        for (var d = 0; d < rank; d++)
        {
            if (size[d] is not long n || n < 0 || stride[d] is not long s || s < 0)
            {
                throw context.Fail($"a tensor on storage {WeightReadContext.Quote(storage.Key)} has a negative or non-integer size or stride.");
            }

            shape[d] = n;
            strides[d] = s;
        }

        // The element count, saturated just above the limit so that it cannot overflow; CountTensor reports it.
        var max = context.Limits.MaxTensorElements;
        long count = System.Array.IndexOf(shape, 0L) >= 0 ? 0 : 1;
        for (var d = 0; d < rank && count > 0; d++)
        {
            if (count > max / shape[d])
            {
                count = max + 1;
                break;
            }

            count *= shape[d];
        }

        if (count > 0)
        {
            // The last element addressed, offset + sum((size - 1) * stride), must lie inside the storage.
            var last = offset;
            for (var d = 0; d < rank; d++)
            {
                if (strides[d] != 0 && shape[d] - 1 > (storage.Numel - 1 - last) / strides[d])
                {
                    last = -1;
                    break;
                }

                last += (shape[d] - 1) * strides[d];
            }

            if (last < 0 || last >= storage.Numel)
            {
                throw context.Fail(string.Create(
                    CultureInfo.InvariantCulture,
                    $"a tensor of shape [{string.Join(", ", shape)}], stride [{string.Join(", ", strides)}] and offset {offset} reaches past the end of storage {WeightReadContext.Quote(storage.Key)} ({storage.Numel} elements)."));
            }
        }

        context.CountTensor(count);
        return new TorchTensorRef(storage, offset, shape, strides, count);
    }
}
