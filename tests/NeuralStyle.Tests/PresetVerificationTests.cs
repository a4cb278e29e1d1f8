using System;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Imaging;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests;

/// <summary>
/// The seed's three results: Tübingen in the style of Composition VII, The Scream and The Starry Night at 192 px,
/// 200 iterations, compared with the PyTorch reference run on the same preprocessed tensors (Data/reference-preset-losses.json).
/// </summary>
public sealed class PresetVerificationTests
{
    public static TheoryData<string, string> Presets => new()
    {
        { "composition_vii", "composition_vii.jpg" },
        { "the_scream", "the_scream.jpg" },
        { "starry_night", "starry_night.jpg" },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task Final_losses_are_within_4_percent_of_the_reference_and_the_style_is_carried(string preset, string styleFile)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "reference-preset-losses.json")));
        var expected = reference.RootElement.GetProperty("presets").GetProperty(preset);
        using var content = ImageFile.Load(SharedAssets.Image("tubingen.jpg"));
        using var style = ImageFile.Load(SharedAssets.Image(styleFile));
        var options = StyleTransferPresets.Get(preset) with
        {
            Optimizer = StyleTransferPresets.Get(preset).Optimizer with { ProgressInterval = 1 },
            Runtime = StyleTransferPresets.Get(preset).Runtime with { Device = "cpu" },
            Weights = StyleTransferPresets.Get(preset).Weights with { Path = SharedAssets.SafeTensorsWeights, AllowDownload = false },
        };
        var log = new ProgressLog();
        using var result = await StyleTransfer.RunAsync(content, style, options, log, TestContext.Current.CancellationToken);

        (result.Image.Width, result.Image.Height).Should().Be((256, 192));
        foreach (var (term, actual) in new[] { ("content", result.FinalLosses.Content), ("style", result.FinalLosses.Style), ("tv", result.FinalLosses.TotalVariation) })
        {
            var e = expected.GetProperty(term).GetDouble();
            TestContext.Current.TestOutputHelper?.WriteLine($"{preset} {term}: {actual:G6} vs {e:G6} ({(actual - e) / e:P2})");
            // Measured: 0.01–3.1 % (the-scream's style term is the farthest); docs/performance.md gives these figures.
            actual.Should().BeApproximately(e, 0.04 * e, $"{preset} {term} loss vs the PyTorch reference");
        }

        // The style is carried: the style loss falls far below that of the starting (content) image, by the library's
        // own losses and by the independent measure.
        log.Reports[0].Losses.Style.Should().BeGreaterThan(3 * result.FinalLosses.Style);
        var relative = StyleMeasure.RelativeStyleLoss(result.Image, content, style, options);
        TestContext.Current.TestOutputHelper?.WriteLine($"{preset}: style loss relative to the content {relative:F3}");
        // Measured: composition-vii 0.23 (its style is taken at 512 px, the result is 192 px), the-scream 0.018, starry-night 0.038.
        relative.Should().BeLessThan(0.5, "200 iterations carry the style");

        var folder = Path.Combine(Path.GetTempPath(), "neuralstyle-test-output");
        Directory.CreateDirectory(folder);
        ImageFile.Save(result.Image, Path.Combine(folder, $"tubingen-{preset}.png"));
    }
}
