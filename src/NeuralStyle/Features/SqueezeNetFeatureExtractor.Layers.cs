using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;

namespace NeuralStyle.Features;

/// <content>SqueezeNet 1.1's layers: names, indices and the sizes an input needs to reach them.</content>
public sealed partial class SqueezeNetFeatureExtractor
{
    private static readonly string[] Names =
        ["conv1", "relu1", "pool1", "fire2", "fire3", "pool3", "fire4", "fire5", "pool5", "fire6", "fire7", "fire8", "fire9"];

    /// <summary>The layer names without an instance (the pipeline's default network).</summary>
    internal static IReadOnlyList<string> LayerNamesList => Names;

    // Kinds of layers, for the arithmetic of output sizes: 'c' = conv 3×3 stride 2, 'r' = ReLU, 'p' = max-pool 3×3 stride 2 (ceil), 'f' = Fire.
    private const string LayerKinds = "crpffpffpffff";

    /// <summary>Whether the layer at <paramref name="layer"/> is one of the max-pools (2, 5 and 8).</summary>
    internal static bool IsMaxPool(int layer) => LayerKinds[layer] == 'p';

    /// <summary>Whether the layer at <paramref name="layer"/> is a Fire module (3, 4, 6, 7 and 9 to 12).</summary>
    internal static bool IsFireModule(int layer) => LayerKinds[layer] == 'f';

    /// <summary>Gets the index of a layer by its name (<c>conv1</c>, <c>relu1</c>, <c>pool1</c>, <c>fire2</c> … <c>fire9</c>).</summary>
    /// <param name="name">The layer name, case-insensitive.</param>
    /// <returns>The layer index, 0 to 12.</returns>
    /// <exception cref="ArgumentException">No layer has that name.</exception>
    public static int LayerIndex(string name)
    {
        Guard.NotNullOrWhiteSpace(name);
        var index = Array.FindIndex(Names, n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return index >= 0
            ? index
            : throw new ArgumentException($"SqueezeNet 1.1 has no layer '{name}'. Layers: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Reads a layer given by index (<c>3</c>) or by name (<c>fire2</c>), as the options and the command line accept it.</summary>
    /// <param name="text">An index from 0 to 12 or a layer name, case-insensitive.</param>
    /// <returns>The layer index.</returns>
    /// <exception cref="ArgumentException">The text is neither a layer index nor a layer name.</exception>
    public static int ParseLayer(string text)
    {
        Guard.NotNullOrWhiteSpace(text);
        if (int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return index < LayerCount
                ? index
                : throw new ArgumentException($"SqueezeNet 1.1 has layers 0 to {LayerCount - 1}; got {index}.", nameof(text));
        }

        return LayerIndex(text);
    }

    /// <summary>Reads several layers by index or name, for example <c>LayerIndices("relu1", "fire3", "6")</c>.</summary>
    /// <param name="layers">Indices or names (see <see cref="ParseLayer"/>).</param>
    /// <returns>The layer indices, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="layers"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An entry is neither a layer index nor a layer name.</exception>
    public static int[] LayerIndices(params string[] layers) => Guard.NotNull(layers).Select(ParseLayer).ToArray();

    /// <summary>Gets the smallest height and width of an input that yields features up to <paramref name="lastLayer"/>.</summary>
    /// <param name="lastLayer">The index of the last layer needed.</param>
    /// <returns>The minimum side length in pixels.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lastLayer"/> is not a layer index.</exception>
    public static int MinimumInputSizeFor(int lastLayer)
    {
        CheckLayer(lastLayer);
        for (var size = 1; ; size++)
        {
            if (OutputSize(size, lastLayer) >= 1)
            {
                return size;
            }
        }
    }

    private static void CheckLayer(int layer)
    {
        if ((uint)layer >= LayerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"SqueezeNet 1.1 has layers 0 to {LayerCount - 1}.");
        }
    }

    // Spatial size after lastLayer for an input of the given size, or 0 when some layer would get too small an input.
    private static long OutputSize(long size, int lastLayer)
    {
        for (var i = 0; i <= lastLayer; i++)
        {
            switch (LayerKinds[i])
            {
                case 'c':
                    if (size < 3)
                    {
                        return 0;
                    }

                    size = ((size - 3) / 2) + 1;
                    break;
                case 'p':
                    if (size < 3)
                    {
                        return 0;
                    }

                    size = ((size - 3 + 1) / 2) + 1; // ceil((size - 3) / 2) + 1
                    break;
            }
        }

        return size;
    }
}
