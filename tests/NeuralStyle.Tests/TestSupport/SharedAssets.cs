using System;
using System.IO;
using Xunit;

namespace NeuralStyle.Tests.TestSupport;

/// <summary>
/// Finds the shared test material (weights, images, golden numbers) that lives outside the repository.
/// <c>NEURALSTYLE_WEIGHTS</c> names the safetensors weight file (its folder holds the other formats);
/// <c>NEURALSTYLE_SHARED</c> names the shared folder. Without them the repository's sibling <c>../shared</c> is tried.
/// Tests that need the material skip with a reason when it is absent, and fail when <c>CI=true</c>.
/// </summary>
internal static class SharedAssets
{
    private static readonly Lazy<string?> SharedRoot = new(FindSharedRoot);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string WeightsDirectory => Path.GetDirectoryName(SafeTensorsWeights)!;

    public static string SafeTensorsWeights => Require(WeightsPathOrNull(), "SqueezeNet weights (set NEURALSTYLE_WEIGHTS to squeezenet1_1-features.safetensors)");

    public static string ZipPthWeights => Path.Combine(WeightsDirectory, "squeezenet1_1-features.pth");

    public static string LegacyPthWeights => Path.Combine(WeightsDirectory, "squeezenet1_1-features-legacy.pth");

    public static string GoldenJson => RequireFile(Path.Combine(RequireShared(), "golden", "squeezenet_golden.json"));

    public static string Image(string name) => RequireFile(Path.Combine(RequireShared(), "images", name));

    private static string? WeightsPathOrNull()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        var root = SharedRoot.Value;
        var candidate = root is null ? null : Path.Combine(root, "weights", "squeezenet1_1-features.safetensors");
        return candidate is not null && File.Exists(candidate) ? candidate : null;
    }

    private static string RequireShared() => Require(SharedRoot.Value, "the shared test folder (set NEURALSTYLE_SHARED)");

    private static string RequireFile(string path) => Require(File.Exists(path) ? path : null, path);

    private static string Require(string? value, string what)
    {
        if (value is not null)
        {
            return value;
        }

        var message = $"Missing {what}.";
        if (IsCi)
        {
            throw new InvalidOperationException(message + " CI=true requires the shared test material.");
        }

        Assert.Skip(message);
        return null!;
    }

    private static string? FindSharedRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NEURALSTYLE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralStyle.sln")))
            {
                var sibling = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(sibling) ? sibling : null;
            }
        }

        return null;
    }
}
