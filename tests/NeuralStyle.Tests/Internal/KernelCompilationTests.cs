using System;
using System.Linq;
using System.Reflection;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Internal;
using NeuralStyle.Losses;
using NeuralStyle.Optimization;
using Xunit;

namespace NeuralStyle.Tests.Internal;

/// <summary>
/// The methods that loop over a tensor's values are compiled fully optimised at their first call
/// (<see cref="System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization"/>): left to tiered compilation
/// they start at tier 0, where every vector helper is a call, and where the runtime's tiering thread cannot run (a
/// process under a real-time scheduler with libtorch's spinning workers) they stay there for the whole run. A new
/// kernel's loops belong in <see cref="KernelLoops"/>.
/// </summary>
public sealed class KernelCompilationTests
{
    public static TheoryData<Type, string> KernelLoops() => new()
    {
        { Nested(typeof(SymmetricGram), "Problem"), "Run" },
        { Nested(typeof(SymmetricGram), "Problem"), "Tile" },
        { Nested(typeof(SymmetricGram), "Problem"), "Mirror" },
        { Nested(typeof(SymmetricGram), "Problem"), "RunBand" },
        { typeof(TotalVariationKernel), "RunRows" },
        { typeof(TotalVariationKernel), "Row" },
        { typeof(TotalVariationKernel), "Point" },
        { typeof(PoolGradient), "RunRows" },
        { Nested(typeof(PoolGradient), "Problem"), "Run" },
        { Nested(typeof(PoolGradient), "Problem"), "Window" },
        { typeof(StemGradient), "RunRows" },
        { Nested(typeof(StemGradient), "Problem"), "Run" },
        { Nested(typeof(StemGradient), "Problem"), "Tile" },
        { typeof(FireGradient), "RunTiles" },
        { Nested(typeof(FireGradient), "Problem"), "Run" },
        { Nested(typeof(FireGradient), "Problem"), "Mask" },
        { Nested(typeof(FireGradient), "Problem"), "Tile" },
        { Nested(typeof(FireGradient), "Problem"), "Inputs" },
        { Nested(typeof(FireGradient), "Problem"), "QuadInputs" },
        { typeof(SqueezedTile), "Sum" },
        { typeof(PoolForward), "RunRows" },
        { Nested(typeof(PoolForward), "Problem"), "Run" },
        { typeof(StemForward), "RunRows" },
        { Nested(typeof(StemForward), "Problem"), "Run" },
        { Nested(typeof(StemForward), "Problem"), "Block" },
        { typeof(FireForward), "RunTiles" },
        { Nested(typeof(FireForward), "Problem"), "Run" },
        { Nested(typeof(FireForward), "Problem"), "Squeeze" },
        { Nested(typeof(FireForward), "Problem"), "Expand" },
        { Nested(typeof(FireForward), "Problem"), "Block" },
        { typeof(PixelAdamKernel), "RunRange" },
        { typeof(PixelAdamKernel), "Run" },
        { typeof(OpenMpTeam), "Work" },
        { typeof(OpenMpTeam), "RunRange" },
    };

    [Theory]
    [MemberData(nameof(KernelLoops))]
    public void A_kernel_loop_is_compiled_fully_optimised_from_its_first_call(Type type, string method)
    {
        var loops = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name == method)
            .Where(m => !IsDispatcher(m))
            .ToList();

        loops.Should().NotBeEmpty($"{type.Name} has a method {method}");
        foreach (var loop in loops)
        {
            loop.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization)
                .Should().BeTrue($"{type.Name}.{method}({string.Join(", ", loop.GetParameters().Select(p => p.ParameterType.Name))}) loops over values");
        }
    }

    private static Type Nested(Type outer, string name) =>
        outer.GetNestedType(name, BindingFlags.NonPublic | BindingFlags.Public) ?? throw new InvalidOperationException($"{outer.Name}.{name} is missing.");

    // Run(bool wide, ...) only chooses the vector width and calls the generic loop.
    private static bool IsDispatcher(MethodInfo method) =>
        method.Name == "Run" && method.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(bool);
}
