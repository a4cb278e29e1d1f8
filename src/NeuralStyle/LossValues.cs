using System;
using System.Collections.Generic;
using System.Linq;
using NeuralStyle.Internal;

namespace NeuralStyle;

/// <summary>The values of the loss terms at one iteration.</summary>
public sealed class LossValues
{
    /// <summary>Initializes a new instance of the <see cref="LossValues"/> class.</summary>
    /// <param name="terms">Each term's weighted value, keyed by <see cref="Losses.ILoss.Name"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="terms"/> is <see langword="null"/>.</exception>
    public LossValues(IReadOnlyDictionary<string, double> terms)
    {
        Terms = Guard.NotNull(terms);
        Total = terms.Values.Sum();
    }

    /// <summary>Gets each term's weighted value.</summary>
    /// <value>Keyed by loss name: <c>content</c>, <c>style</c>, <c>tv</c> and any custom loss.</value>
    public IReadOnlyDictionary<string, double> Terms { get; }

    /// <summary>Gets the sum of the terms.</summary>
    /// <value>The objective being minimised.</value>
    public double Total { get; }

    /// <summary>Gets the content term.</summary>
    /// <value>The <c>content</c> term, or 0 when there is none.</value>
    public double Content => Get("content");

    /// <summary>Gets the style term.</summary>
    /// <value>The <c>style</c> term, or 0 when there is none.</value>
    public double Style => Get("style");

    /// <summary>Gets the total-variation term.</summary>
    /// <value>The <c>tv</c> term, or 0 when there is none.</value>
    public double TotalVariation => Get("tv");

    /// <inheritdoc />
    public override string ToString()
        => string.Join(", ", Terms.Select(t => FormattableString.Invariant($"{t.Key} {t.Value:G5}"))) + FormattableString.Invariant($", total {Total:G5}");

    private double Get(string name) => Terms.TryGetValue(name, out var value) ? value : 0;
}
