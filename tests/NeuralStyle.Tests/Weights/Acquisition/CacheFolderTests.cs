using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;
using static NeuralStyle.Tests.Weights.WeightsTestKit;

namespace NeuralStyle.Tests.Weights;

public sealed class CacheFolderTests : IDisposable
{
    private readonly TempFolder _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task A_lock_file_that_cannot_be_created_gives_the_documented_exception_with_advice()
    {
        // A folder where the lock file should be: opening it is refused with UnauthorizedAccessException on every
        // platform and for every user (root included), as a read-only cache folder is for an ordinary user.
        var weights = Descriptor(new Uri("http://127.0.0.1:9/unused.pth"), Sha256([1, 2, 3]));
        Directory.CreateDirectory(_cache.File(weights.FileName + ".lock"));

        var ex = (await FluentActions.Awaiting(() => ResolveAsync(new Download(weights, new WeightsOptions { CacheDirectory = _cache.Path })))
            .Should().ThrowAsync<WeightsDownloadException>()).Which;

        ex.Failure.Should().Be(WeightsDownloadFailure.CacheUnavailable);
        ex.InnerException.Should().BeOfType<UnauthorizedAccessException>();
        ex.Message.Should().Contain("not writable").And.Contain(WeightsLocator.CacheEnvironmentVariable).And.Contain("WeightsOptions.CacheDirectory")
            .And.Contain("WeightsOptions.Path");
    }
}
