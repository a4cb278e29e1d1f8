using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Features;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.Weights.WeightsTestKit;

namespace NeuralStyle.Tests.Weights;

/// <summary>Resolution order and the default cache folder, with the environment supplied by the test.</summary>
public sealed class WeightsResolutionTests : IDisposable
{
    private static readonly byte[] Body = Payload(4096);
    private readonly TempFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Explicit_path_wins_over_the_environment_and_the_cache()
    {
        var explicitFile = await WriteAsync("explicit.safetensors");
        var environmentFile = await WriteAsync("from-env.pth");
        var cache = await WriteCachedAsync();
        var options = new Download(Descriptor(SqueezeNetWeights.DownloadUri, Sha256(Body)), new WeightsOptions { Path = explicitFile, CacheDirectory = cache, AllowDownload = false });

        var path = await ResolveWith(options, Environment(environmentFile), Ct);

        path.Should().Be(explicitFile);
    }

    [Fact]
    public async Task Explicit_relative_path_is_returned_in_full()
    {
        var file = await WriteAsync("relative.pth");
        var relative = Path.GetRelativePath(System.Environment.CurrentDirectory, file);

        var path = await ResolveWith(new WeightsOptions { Path = relative }, Environment(null), Ct);

        path.Should().Be(file);
    }

    [Fact]
    public async Task Missing_explicit_file_throws_FileNotFoundException_naming_it()
    {
        var missing = _folder.File("missing.pth");

        var ex = (await FluentActions.Awaiting(() => ResolveWith(new WeightsOptions { Path = missing }, Environment(null), Ct))
            .Should().ThrowAsync<FileNotFoundException>()).Which;

        ex.FileName.Should().Be(missing);
        ex.Message.Should().Contain(missing).And.Contain("WeightsOptions.Path");
    }

    [Fact]
    public async Task Environment_variable_wins_over_the_cache()
    {
        var environmentFile = await WriteAsync("from-env.pth");
        var options = new Download(Descriptor(SqueezeNetWeights.DownloadUri, Sha256(Body)), new WeightsOptions { CacheDirectory = await WriteCachedAsync(), AllowDownload = false });

        var path = await ResolveWith(options, Environment(environmentFile), Ct);

        path.Should().Be(environmentFile);
    }

    [Fact]
    public async Task Environment_variable_naming_a_missing_file_throws_instead_of_downloading()
    {
        var missing = _folder.File("nowhere.pth");

        var ex = (await FluentActions.Awaiting(() => ResolveWith(new WeightsOptions(), Environment(missing), Ct))
            .Should().ThrowAsync<FileNotFoundException>()).Which;

        ex.FileName.Should().Be(missing);
        ex.Message.Should().Contain("NEURALSTYLE_WEIGHTS");
    }

    [Fact]
    public async Task Verified_cached_file_is_used_without_a_download()
    {
        var cache = await WriteCachedAsync();
        var options = new Download(Descriptor(SqueezeNetWeights.DownloadUri, Sha256(Body)), new WeightsOptions { CacheDirectory = cache, AllowDownload = false });

        var path = await ResolveWith(options, Environment(null), Ct);

        path.Should().Be(Path.Combine(cache, SqueezeNetWeights.FileName));
        File.Exists(path + ".verified").Should().BeTrue("the verified digest is recorded so later runs skip hashing");
    }

    [Fact]
    public async Task Download_disabled_with_an_empty_cache_says_how_to_supply_the_file()
    {
        var cache = _folder.File("empty-cache");
        var options = new WeightsOptions { CacheDirectory = cache, AllowDownload = false };

        var ex = (await FluentActions.Awaiting(() => ResolveWith(options, Environment(null), Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.DownloadDisabled);
        ex.Uri.Should().BeNull();
        ex.Message.Should().Contain("NEURALSTYLE_WEIGHTS").And.Contain("WeightsOptions.Path").And.NotContain("--weights", "library messages name options, not CLI flags")
            .And.Contain(cache).And.Contain(SqueezeNetWeights.FileName).And.Contain(SqueezeNetWeights.Sha256)
            .And.Contain(SqueezeNetWeights.DownloadUri.ToString());
        Directory.Exists(cache).Should().BeFalse("nothing is created when nothing can be downloaded");
    }

    [Fact]
    public async Task Download_disabled_with_a_wrong_cached_file_reports_its_hash_and_keeps_it()
    {
        var cache = _folder.File("cache");
        Directory.CreateDirectory(cache);
        var cached = Path.Combine(cache, SqueezeNetWeights.FileName);
        await File.WriteAllBytesAsync(cached, Body, Ct);
        var options = new WeightsOptions { CacheDirectory = cache, AllowDownload = false };

        var ex = (await FluentActions.Awaiting(() => ResolveWith(options, Environment(null), Ct))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Message.Should().Contain(Sha256(Body)).And.Contain(SqueezeNetWeights.Sha256);
        File.Exists(cached).Should().BeTrue();
    }

    [Fact]
    public async Task Already_cancelled_token_throws_before_doing_anything()
    {
        var act = () => ResolveWith(new WeightsOptions { AllowDownload = false }, Environment(null), new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Default_cache_folder_follows_NEURALSTYLE_CACHE_then_XDG_then_home()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("The XDG and home rules apply to Linux and macOS.");
        }

        var custom = _folder.File("custom");
        Default(("NEURALSTYLE_CACHE", custom), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")).Should().Be(custom);
        Default(("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")).Should().Be("/xdg/neuralstyle");
        Default(("XDG_CACHE_HOME", "relative/ignored"), ("HOME", "/home/u")).Should().Be("/home/u/.cache/neuralstyle");
        Default(("HOME", "/home/u")).Should().Be("/home/u/.cache/neuralstyle");
    }

    [Fact]
    public void Cache_file_path_combines_the_configured_folder_and_the_constant_file_name()
    {
        var options = new Download(Descriptor(new Uri("https://example.invalid/other-name.bin"), SqueezeNetWeights.Sha256), new WeightsOptions { CacheDirectory = _folder.Path });

        WeightsLocator.GetCacheFilePath(options.Weights, options.Options).Should().Be(_folder.File(SqueezeNetWeights.FileName));
    }

    private static Func<string, string?> Environment(string? weights)
        => name => name == WeightsLocator.WeightsEnvironmentVariable ? weights : null;

    private static string Default(params (string Name, string Value)[] variables)
    {
        var map = new Dictionary<string, string>();
        foreach (var (name, value) in variables)
        {
            map[name] = value;
        }

        return WeightsLocator.GetDefaultCacheDirectory(name => map.GetValueOrDefault(name));
    }

    private async Task<string> WriteAsync(string name)
    {
        var path = _folder.File(name);
        await File.WriteAllBytesAsync(path, Body, Ct);
        return path;
    }

    private async Task<string> WriteCachedAsync()
    {
        var cache = _folder.File("cache");
        Directory.CreateDirectory(cache);
        await File.WriteAllBytesAsync(Path.Combine(cache, SqueezeNetWeights.FileName), Body, Ct);
        return cache;
    }
}
