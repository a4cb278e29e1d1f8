using System;
using System.Globalization;

namespace NeuralStyle.Weights.Pickle;

/// <summary>
/// Builds and fills the unpickler's tuples, lists and dicts, holding each to the rules that keep a parse bounded: the
/// depth of what is built stays within <see cref="WeightReaderLimits.MaxPickleDepth"/>, a container that is already
/// inside another one does not change (nesting cannot be built inside-out through the memo), no container holds itself,
/// dict keys are scalars, strings charged for the time it takes to hash them, and every item a container gains counts
/// as an object (<see cref="WeightReaderLimits.MaxPickleObjectsPerKilobyte"/>).
/// </summary>
internal sealed class ContainerBuilder
{
    private readonly PickleInput _input;
    private readonly WeightReadContext _context;

    public ContainerBuilder(PickleInput input, WeightReadContext context)
    {
        _input = input;
        _context = context;
    }

    /// <summary>Builds a tuple, which counts as one object and one per item.</summary>
    public PickleTuple NewTuple(int at, object[] items)
    {
        _context.CountObjects(1 + items.Length);
        var tuple = new PickleTuple(items);
        CheckDepth(at, tuple.Depth);
        return tuple;
    }

    public void Append(int at, object list, ReadOnlySpan<object> items)
    {
        var target = list as PickleList ?? throw _input.Fail(at, $"APPEND is applied to a {PickleText.TypeName(list)}, not a list.");
        CheckMutable(at, target, items);
        _context.CountObjects(items.Length);
        CheckDepth(at, target.AddRange(items));
    }

    public void SetItems(int at, object dict, ReadOnlySpan<object> keysAndValues)
    {
        var target = dict as PickleDict ?? throw _input.Fail(at, $"SETITEM is applied to a {PickleText.TypeName(dict)}, not a dict.");
        if (keysAndValues.Length % 2 != 0)
        {
            throw _input.Fail(at, "a dict is given an odd number of keys and values.");
        }

        CheckMutable(at, target, keysAndValues);
        _context.CountObjects(keysAndValues.Length);
        target.Reserve(keysAndValues.Length / 2);
        for (var i = 0; i < keysAndValues.Length; i += 2)
        {
            var key = keysAndValues[i];
            if (!PickleDict.IsSupportedKey(key))
            {
                throw _input.Fail(at, $"a dict key is a {PickleText.TypeName(key)}; only str, int, float, bool and None keys are supported.");
            }

            // Hashing a key costs time in proportion to its length (only strings are hashed).
            if (key is string s)
            {
                _context.ChargeOperations(s.Length / 64);
            }

            CheckDepth(at, target.Set(key, keysAndValues[i + 1]));
        }
    }

    /// <summary>BUILD: the state is not kept, but its depth counts like that of any other child.</summary>
    public void Build(int at, object target, object state)
    {
        if (target is not (PickleDict or TorchTensorRef))
        {
            throw _input.Fail(at, $"BUILD is applied to a {PickleText.TypeName(target)}, which has no state to set.");
        }

        CheckDepth(at, PickleContainer.DepthOf(state) + 1);
    }

    /// <summary>
    /// Refuses to change a container that is already inside another one (its recorded depth would no longer hold), or
    /// to put a container inside itself.
    /// </summary>
    private void CheckMutable(int at, PickleContainer target, ReadOnlySpan<object> items)
    {
        if (target.IsSealed)
        {
            throw _input.Fail(at, $"a {PickleText.TypeName(target)} is changed after it was put inside another container, which a state dict never does.");
        }

        foreach (var item in items)
        {
            if (ReferenceEquals(item, target))
            {
                throw _input.Fail(at, $"a {PickleText.TypeName(target)} is put inside itself.");
            }
        }
    }

    private void CheckDepth(int at, int depth)
    {
        var limit = _context.Limits.MaxPickleDepth;
        if (depth > limit)
        {
            throw _input.Fail(at, string.Create(CultureInfo.InvariantCulture, $"containers are nested deeper than {limit} (limit MaxPickleDepth)."));
        }
    }
}
