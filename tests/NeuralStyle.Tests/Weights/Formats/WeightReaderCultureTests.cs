using System.Globalization;
using System.Linq;
using FluentAssertions;
using NeuralStyle.Weights;
using Xunit;

namespace NeuralStyle.Tests.Weights;

/// <summary>The weight readers parse and report numbers the same under every locale (issue #14 item 2).</summary>
public sealed class WeightReaderCultureTests
{
    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("tr-TR")]
    public void Every_format_reads_the_same_tensors_and_messages_under_a_locale(string culture)
    {
        string[] formats = ["safetensors", "zip", "zip-protocol4", "legacy", "legacy-protocol4"];
        var expected = formats.Select(f => Describe(Seeds.Read(Seeds.ByName(f), f))).ToList();
        var refusal = Refusal();
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);

            formats.Select(f => Describe(Seeds.Read(Seeds.ByName(f), f))).Should().Equal(expected);
            Refusal().Should().Be(refusal).And.Contain("268431360 elements, more bytes than 67108864", "no digit grouping or local digits");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }

        static string Describe(System.Collections.Generic.IReadOnlyDictionary<string, WeightTensor> tensors)
            => string.Join(';', tensors.Select(t => t.Key + "[" + string.Join(',', t.Value.Shape) + "]=" + string.Join(",", t.Value.Values.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

        static string Refusal()
            => FluentActions.Invoking(() => Seeds.Read(AdversarialWeights.HugeDeclaredStorage((1L << 28) - 4096), "huge.pth"))
                .Should().Throw<WeightFormatException>().Which.Message;
    }
}
