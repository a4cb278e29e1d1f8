using System;
using System.Collections.Generic;
using NeuralStyle.Weights;

namespace NeuralStyle.Tests.Weights;

/// <summary>Small valid weight files of a few tiny tensors, for detection tests and as fuzzing seeds.</summary>
internal static class Seeds
{
    public static byte[] ByName(string name) => name switch
    {
        "safetensors" => SafeTensors(),
        "zip" => Zip(),
        "zip-protocol4" => Checkpoint(PickleStyle.Protocol4).ToZip(),
        "legacy" => Legacy(),
        "legacy-protocol4" => Checkpoint(PickleStyle.Protocol4).ToLegacy(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Four tensors, one per supported dtype, and metadata.</summary>
    public static byte[] SafeTensors() => SafeTensorsFile.Build(
        [
            ("conv.weight", "F32", [2, 3], Bytes.Float32(1, 2, 3, 4, 5, 6)),
            ("conv.bias", "F16", [3], Bytes.Float16(0.5f, -1, 2)),
            ("fc.weight", "BF16", [2, 1], Bytes.BFloat16(1.5f, -3)),
            ("fc.scale", "F64", [], Bytes.Float64(0.25)),
        ],
        new Dictionary<string, string> { ["format"] = "pt" });

    /// <summary>
    /// A checkpoint with a shared storage (a matrix and its transpose), a strided view with an offset, a half-precision
    /// storage and, for legacy files, a storage view.
    /// </summary>
    public static TorchCheckpoint Checkpoint(PickleStyle style = PickleStyle.Protocol2, bool legacyView = false)
    {
        var checkpoint = new TorchCheckpoint { Style = style }
            .Add(new TorchStorageSpec("0", "FloatStorage", Bytes.Float32(1, 2, 3, 4, 5, 6)))
            .Add(new TorchStorageSpec("1", "HalfStorage", Bytes.Float16(0.5f, -1, 2)))
            .Add(new TorchStorageSpec("2", "FloatStorage", Bytes.Float32(10, 11, 12, 13, 14)))
            .Add(new TorchTensorSpec("features.0.weight", "0", 0, [2, 3]))
            .Add(new TorchTensorSpec("features.0.weight_t", "0", 0, [3, 2], [1, 3]))
            .Add(new TorchTensorSpec("features.0.bias", "1", 0, [3]))
            .Add(new TorchTensorSpec("classifier.1.bias", "2", 1, [2], [2]));
        if (legacyView)
        {
            checkpoint.Add(new TorchTensorSpec("classifier.1.weight", "2", 0, [2], null, new TorchViewSpec("2v", 3, 2)));
        }

        return checkpoint;
    }

    public static byte[] Zip() => Checkpoint().ToZip();

    public static byte[] Legacy() => Checkpoint(legacyView: true).ToLegacy();

    /// <summary>The limits of a reader test: defaults.</summary>
    public static WeightReaderLimits Limits => WeightReaderLimits.Default;

    public static IReadOnlyDictionary<string, WeightTensor> Read(byte[] file, string name = "fixture", WeightReaderLimits? limits = null)
        => WeightFileReader.ReadBytes(file, name, limits ?? Limits);
}
