using System;
using System.Globalization;

namespace NeuralStyle.Internal;

/// <summary>
/// The checks every option record uses. Messages name the option by its path from <see cref="StyleTransferOptions"/>
/// (<c>StyleTransferOptions.Optimizer.LearningRate</c>), and the exception's parameter name is that path without the root.
/// </summary>
internal static class OptionCheck
{
    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    /// <exception cref="ArgumentException">The requirement is not met; the message names <paramref name="path"/>.</exception>
    public static void Require(bool ok, string path, string requirement)
    {
        if (!ok)
        {
            throw new ArgumentException($"StyleTransferOptions.{path} {requirement}.", path);
        }
    }

    /// <summary>A loss weight: finite, from 0 to 1e12.</summary>
    public static void Weight(double weight, string path)
        => Require(double.IsFinite(weight) && weight is >= 0 and <= 1e12, path, string.Create(CultureInfo.InvariantCulture, $"must be finite and between 0 and 1e12 (got {weight})"));

    /// <summary>A learning rate: finite, above 0, at most 10,000.</summary>
    public static void Rate(double rate, string path)
        => Require(double.IsFinite(rate) && rate is > 0 and <= 1e4, path, string.Create(CultureInfo.InvariantCulture, $"must be finite and between 0 (exclusive) and 10,000 (got {rate})"));
}
