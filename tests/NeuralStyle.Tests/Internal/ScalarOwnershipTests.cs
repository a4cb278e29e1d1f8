using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeuralStyle.Tests.Docs;
using Xunit;

namespace NeuralStyle.Tests.Internal;

/// <summary>
/// The library passes TorchSharp no number that TorchSharp turns into a scalar left to the garbage collector (see
/// <c>Internal.OwnedScalars</c>): its sources are compiled here and every implicit conversion to <c>TorchSharp.Scalar</c>
/// is listed, with every call of a TorchSharp member that converts a number itself (<c>t.add(u)</c>, whose <c>alpha</c> of 1
/// becomes a scalar; the operators with a number operand; <c>+</c>).
/// </summary>
public sealed class ScalarOwnershipTests
{
    private static readonly string[] Libraries = ["src/NeuralStyle", "src/NeuralStyle.Video"];

    [Fact]
    public void The_libraries_convert_no_number_to_a_TorchSharp_scalar_implicitly()
    {
        var found = Libraries.SelectMany(Find).ToList();
        string.Join(Environment.NewLine, found).Should().BeEmpty("a number passed where TorchSharp takes a Scalar becomes a native scalar that only a finalizer frees, which may run while libtorch reads it; take it from OwnedScalars or `using var s = value.ToScalar()`");
    }

    [Fact]
    public void The_check_finds_each_kind_of_implicit_scalar()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            internal static class Sample
            {
                public static void Run(Tensor a, Tensor b, Scalar owned)
                {
                    a.mul(2.0);
                    a.clamp_(-1, 1);
                    a.add(b);
                    a.add_(b, alpha: 0.5);
                    _ = a * 2.0;
                    _ = a + b;
                    a.addcdiv_(a, b);
                    a.square();
                    a.mul(owned);
                    a.add(b, owned);
                    _ = a - b;
                    _ = a * b;
                }
            }
            """;
        var found = Find(CSharpSyntaxTree.ParseText(code, path: "Sample.cs"), "Sample");
        found.Select(f => f.Split(": ", 2)[1]).Should().Equal(
            "2.0", "-1", "1", "a.add(b)", "0.5", "a * 2.0", "a + b", "a.addcdiv_(a, b)", "a.square()");
    }

    private static IEnumerable<string> Find(string library)
    {
        var directory = Path.Combine(DocsPromiseTests.Root, library);
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        files.Should().NotBeEmpty();
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), ParseOptions, path: Path.GetRelativePath(DocsPromiseTests.Root, f), encoding: Encoding.UTF8));
        return Find([.. trees], Path.GetFileName(library));
    }

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static List<string> Find(SyntaxTree tree, string assembly) => Find([tree], assembly);

    private static List<string> Find(SyntaxTree[] trees, string assembly)
    {
        var compilation = CSharpCompilation.Create(
            assembly,
            trees,
            References(assembly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar");
        var tensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
        scalar.Should().NotBeNull();
        tensor.Should().NotBeNull();
        var found = new List<string>();
        // Files that do not mention TorchSharp are compiled, for the others to bind, but not searched.
        foreach (var tree in trees.Where(t => t.GetText().ToString().Contains("TorchSharp", StringComparison.Ordinal)))
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                SyntaxNode? problem = node switch
                {
                    ArgumentSyntax a when IsImplicitScalar(model, a.Expression, scalar!) => a.Expression,
                    EqualsValueClauseSyntax v when IsImplicitScalar(model, v.Value, scalar!) => v.Value,
                    InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax
                        when ConvertsInside(model.GetSymbolInfo(node).Symbol as IMethodSymbol, tensor!) => node,
                    _ => null,
                };
                if (problem is not null)
                {
                    var line = problem.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    found.Add($"{tree.FilePath}:{line}: {problem}");
                }
            }
        }

        return found;
    }

    private static bool IsImplicitScalar(SemanticModel model, ExpressionSyntax expression, INamedTypeSymbol scalar)
    {
        var conversion = model.GetConversion(expression);
        return conversion.IsUserDefined && conversion.IsImplicit
            && SymbolEqualityComparer.Default.Equals(conversion.MethodSymbol?.ReturnType, scalar);
    }

    // TorchSharp members that make a scalar of a number themselves: add and add_ without an alpha (the default 1), addcdiv
    // and addcdiv_ without a value, square (pow(2)), every operator with a number operand, and + (which calls add without
    // an alpha). Found by reading TorchSharp 0.107's Tensor.Math.cs and Tensor.Operators.cs.
    private static bool ConvertsInside(IMethodSymbol? method, INamedTypeSymbol tensor)
    {
        // Built-in operators on pointers (SymmetricGram's arithmetic) are symbols without a containing type.
        if (method?.ContainingType is null || !(SymbolEqualityComparer.Default.Equals(method.ContainingType, tensor) || method.ContainingType.ToDisplayString() == "TorchSharp.torch"))
        {
            return false;
        }

        return method.Name switch
        {
            "add" or "add_" => method.Parameters.Length == 1,
            "square" => true,
            "addcdiv" or "addcdiv_" => method.Parameters.Length == 2,
            "op_Addition" => true,
            _ when method.MethodKind == MethodKind.UserDefinedOperator => method.Parameters.Any(p => p.Type.SpecialType is >= SpecialType.System_SByte and <= SpecialType.System_Double),
            _ => false,
        };
    }

    private static ImmutableArray<MetadataReference> References(string compiled)
        => [.. ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !string.Equals(Path.GetFileNameWithoutExtension(p), compiled, StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
}
