using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Internal;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Internal;

/// <summary>libtorch's NNPACK switch is off once the library has used libtorch, and a one-thread run prints no NNPACK warnings.</summary>
public sealed class NnpackTests : System.IDisposable
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("neuralstyle-nnpack-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Resolving_a_device_turns_NNPACK_off()
    {
        DeviceSelector.Resolve("cpu");

        Nnpack.EnsureOff().Should().BeTrue("the libtorch this project ships exports the switch");
        Nnpack.IsEnabled().Should().BeFalse();
    }

    [Fact]
    public async Task A_one_thread_run_of_the_tool_prints_no_NNPACK_warning()
    {
        var output = System.IO.Path.Combine(_folder, "out.png");

        using var run = CliRunner.Start([CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", output,
            "--size", "48", "--style-size", "48", "-i", "3", "--threads", "1", "--quiet", "--weights", SharedAssets.SafeTensorsWeights, "--no-download", "--device", "cpu"]);
        var code = await run.WaitAsync();

        code.Should().Be(0, run.Error);
        run.RawError.Split('\n').Where(line => line.Contains("NNPACK", System.StringComparison.Ordinal))
            .Should().BeEmpty("libtorch asks for NNPACK before every convolution and warns each time on CPUs it does not support");
    }
}
