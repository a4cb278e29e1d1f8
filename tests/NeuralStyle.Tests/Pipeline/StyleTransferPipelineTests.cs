using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using NeuralStyle.Tests.Weights;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Pipeline;

public sealed class StyleTransferPipelineTests
{
    [Fact]
    public async Task The_weights_options_reach_the_weights_lookup_as_they_are()
    {
        var logger = new RecordingLogger();
        var options = RunKinds.Options(RunKind.Whole, iterations: 1) with
        {
            Weights = new WeightsOptions { Path = SharedAssets.SafeTensorsWeights, AllowDownload = false, Logger = logger },
        };
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        using var result = await StyleTransfer.RunAsync(content, style, options, cancellationToken: TestContext.Current.CancellationToken);
        logger.Entries.Should().Contain(
            e => e.Message.Contains(SharedAssets.SafeTensorsWeights) && e.Message.Contains("WeightsOptions.Path"),
            "the run hands StyleTransferOptions.Weights, logger included, to the locator");
    }

    [Fact]
    public async Task A_missing_weights_file_is_named_before_any_work()
    {
        var options = RunKinds.Options(RunKind.Whole, iterations: 1) with { Weights = new WeightsOptions { Path = "/no/such/squeezenet.safetensors" } };
        using var content = SampleImages.Content();
        using var style = SampleImages.Style();
        var act = () => StyleTransfer.RunAsync(content, style, options, cancellationToken: TestContext.Current.CancellationToken);
        (await act.Should().ThrowAsync<System.Exception>()).Which.Message.Should().Contain("/no/such/squeezenet.safetensors");
    }
}
