using System;
using System.Globalization;
using System.Numerics;

namespace NeuralStyle.Weights.Pickle;

/// <summary>Short, non-recursive descriptions of unpickled values for error messages.</summary>
internal static class PickleText
{
    public static string Describe(object value) => value switch
    {
        PickleGlobal g => $"'{g.Name}'",
        string s => WeightReadContext.Quote(s),
        long or double or bool => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        PickleNone => "None",
        _ => "a " + TypeName(value),
    };

    public static string TypeName(object value) => value switch
    {
        PickleTuple => "tuple",
        PickleList => "list",
        PickleDict => "dict",
        PickleGlobal => "global",
        string => "str",
        byte[] => "bytes",
        long or BigInteger => "int",
        double => "float",
        bool => "bool",
        PickleNone => "None",
        TorchStorage => "storage",
        TorchTensorRef => "tensor",
        _ => "value",
    };
}
