using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Cli;

/// <summary>
/// An output the tool could not write is refused before any work (the weights named here do not exist, so any work
/// would fail on them first): exit 2, one line naming the path as the user gave it.
/// </summary>
public sealed class CliOutputPathTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralstyle-output-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> Cases => new()
    {
        { "missing-folder", "does not exist; create it first" },
        { "unwritable-folder", "cannot create files in the folder '/proc'" },
        { "folder-at-path", "is a folder; give a file name such as" },
        { "webp-too-large", "the result will be 21845x16384 pixels, but WebP stores at most 16383 on a side" },
        { "bmp", "must end in .png, .jpg, .jpeg or .webp" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_unwritable_output_is_refused_before_any_work(string kind, string message)
    {
        var given = kind switch
        {
            "missing-folder" => Path.Combine(_folder, "no-such-folder", "out.png"),
            "unwritable-folder" => "/proc/out.png",   // nobody, not even root, can create files there
            "folder-at-path" => Directory.CreateDirectory(Path.Combine(_folder, "taken.png")).FullName,
            "webp-too-large" => Path.Combine(_folder, "big.webp"),
            _ => Path.Combine(_folder, "out.bmp"),
        };
        List<string> args = [CliRunner.Sample("content-village.png"), CliRunner.Sample("style-mosaic.png"), "-o", given,
            "--weights", Path.Combine(_folder, "absent.safetensors"), "--no-download", "--device", "cpu"];
        if (kind == "webp-too-large")
        {
            // The 512×384 sample becomes 21845×16384; the pixel limit is raised so that the format's limit is what refuses it.
            args.AddRange(["--size", "16384", "--max-image-pixels", "400000000"]);
        }

        var (code, stdout, stderr) = await CliRunner.RunAsync([.. args]);

        stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain($"-o '{given}'").And.Contain(message).And.NotContain(".tmp").And.NotContain(".partial");
        stdout.Should().BeEmpty();
        code.Should().Be(2);
        Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Should().BeEmpty("nothing is written, not even a probe file");
    }
}
