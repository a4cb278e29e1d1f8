using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace NeuralStyle.Internal;

/// <summary>Argument checks that throw exceptions naming the offending argument.</summary>
internal static class Guard
{
    public static T NotNull<T>(T? value, [CallerArgumentExpression(nameof(value))] string? name = null)
        where T : class
        => value ?? throw new ArgumentNullException(name);

    public static string NotNullOrWhiteSpace(string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value is null)
        {
            throw new ArgumentNullException(name);
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("Value must not be empty or white space.", name);
        }

        return value;
    }

    public static int Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Value must be positive.");

    public static long Positive(long value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Value must be positive.");

    public static int NotNegative(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Value must not be negative.");

    public static double Finite(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, "Value must be a finite number.");

    public static double FiniteNotNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "Value must be a finite, non-negative number.");

    public static double FinitePositive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "Value must be a finite, positive number.");

    public static IReadOnlyList<T> NotEmpty<T>(IReadOnlyList<T>? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        NotNull(value, name);
        return value!.Count > 0 ? value : throw new ArgumentException("Collection must not be empty.", name);
    }
}
