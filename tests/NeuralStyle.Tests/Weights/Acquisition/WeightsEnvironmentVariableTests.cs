using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>Runs alone: these tests change process-wide environment variables, which other tests read.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentTests), DisableParallelization = true)]
public sealed class ProcessEnvironmentTests;

/// <summary>The public entry points against the real process environment. Every variable is restored afterwards.</summary>
[Collection(nameof(ProcessEnvironmentTests))]
public sealed class WeightsEnvironmentVariableTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string? _savedWeights = Environment.GetEnvironmentVariable(WeightsLocator.WeightsEnvironmentVariable);
    private readonly string? _savedCache = Environment.GetEnvironmentVariable(WeightsLocator.CacheEnvironmentVariable);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(WeightsLocator.WeightsEnvironmentVariable, _savedWeights);
        Environment.SetEnvironmentVariable(WeightsLocator.CacheEnvironmentVariable, _savedCache);
        _folder.Dispose();
    }

    [Fact]
    public async Task NEURALSTYLE_WEIGHTS_is_used_when_no_path_is_given()
    {
        var file = _folder.File("env.safetensors");
        await File.WriteAllBytesAsync(file, [1, 2, 3], Ct);
        Environment.SetEnvironmentVariable(WeightsLocator.WeightsEnvironmentVariable, file);

        var path = await WeightsLocator.ResolveAsync(SqueezeNetWeights.Descriptor, new WeightsOptions { CacheDirectory = _folder.File("cache"), AllowDownload = false }, cancellationToken: Ct);

        path.Should().Be(file);
    }

    [Fact]
    public async Task Explicit_path_beats_NEURALSTYLE_WEIGHTS()
    {
        var fromEnvironment = _folder.File("env.pth");
        var explicitFile = _folder.File("explicit.pth");
        await File.WriteAllBytesAsync(fromEnvironment, [1], Ct);
        await File.WriteAllBytesAsync(explicitFile, [2], Ct);
        Environment.SetEnvironmentVariable(WeightsLocator.WeightsEnvironmentVariable, fromEnvironment);

        var path = await WeightsLocator.ResolveAsync(SqueezeNetWeights.Descriptor, new WeightsOptions { Path = explicitFile }, cancellationToken: Ct);

        path.Should().Be(explicitFile);
    }

    [Fact]
    public async Task NEURALSTYLE_CACHE_sets_the_default_cache_folder()
    {
        var cache = _folder.File("cache-from-env");
        Environment.SetEnvironmentVariable(WeightsLocator.WeightsEnvironmentVariable, null);
        Environment.SetEnvironmentVariable(WeightsLocator.CacheEnvironmentVariable, cache);

        WeightsLocator.GetDefaultCacheDirectory().Should().Be(cache);
        WeightsLocator.GetCacheFilePath(SqueezeNetWeights.Descriptor).Should().Be(Path.Combine(cache, SqueezeNetWeights.FileName));
        var ex = (await FluentActions.Awaiting(() => WeightsLocator.ResolveAsync(SqueezeNetWeights.Descriptor, new WeightsOptions { AllowDownload = false }, cancellationToken: Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;
        ex.Message.Should().Contain(cache);
    }
}
