using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Tests.Docs;
using Xunit;

namespace NeuralStyle.Tests.Eng;

/// <summary>
/// <c>eng/install-prerequisites.sh</c>: its decisions, on a fake system. The script runs for real (bash), with a folder
/// of stand-ins first on PATH: <c>apt-get</c>, <c>apt-cache</c>, <c>sudo</c>, <c>tee</c>, <c>id</c>, <c>ldconfig</c>,
/// <c>ffmpeg</c> and <c>ffprobe</c> record their arguments and change nothing, so no test can install or write
/// anything on the machine, whatever the script does. The libstdc++ it checks is a file with or without the version
/// string, and the OS an os-release file of our own.
/// </summary>
public sealed class PrerequisitesScriptTests : IDisposable
{
    private const string Symbol = "GLIBCXX_3.4.32";

    /// <summary>What apt-get -s prints for the trixie install on a minimal bookworm (shortened).</summary>
    private const string Simulation = """
        NOTE: This is only a simulation!
        Inst base-files [12.4+deb12u15] (13.8+deb13u8 Debian:13.8/stable [amd64])
        Inst gcc-14-base (14.2.0-19 Debian:13.8/stable [amd64])
        Inst libc6 [2.36-9+deb12u14] (2.41-12+deb13u5 Debian:13.8/stable [amd64]) [libc-bin:amd64 ]
        Conf libc6 (2.41-12+deb13u5 Debian:13.8/stable [amd64])
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("neuralstyle-prereq-").FullName;

    public PrerequisitesScriptTests()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        File.WriteAllText(Path.Combine(_folder, "simulation.txt"), Simulation + "\n");
        Fake(bin, "apt-get", """
            echo "apt-get $*" >> "$FAKE_LOG"
            case " $* " in *" -s "*) cat "$FAKE_DIR/simulation.txt" ;; esac
            """);
        Fake(bin, "apt-cache", """
            echo "apt-cache $*" >> "$FAKE_LOG"
            [ "${FAKE_TRIXIE_KNOWN:-0}" = 1 ] && echo "     release v=13.8,o=Debian,a=stable,n=trixie,l=Debian,c=main,b=amd64"
            true
            """);
        Fake(bin, "sudo", """echo "sudo $*" >> "$FAKE_LOG"; "$@" """);
        Fake(bin, "tee", """echo "tee $*" >> "$FAKE_LOG"; cat > /dev/null""");
        Fake(bin, "id", """echo "${FAKE_UID:-1000}" """);
        Fake(bin, "ldconfig", """[ "${FAKE_VIDEO_LIBS:-1}" = 1 ] && printf '\tlibgtk-3.so.0 (libc6,x86-64) => /x/libgtk-3.so.0\n\tlibatomic.so.1 (libc6,x86-64) => /x/libatomic.so.1\n'; true""");
        Fake(bin, "ffmpeg", "true");
        Fake(bin, "ffprobe", "true");
        File.WriteAllText(Path.Combine(_folder, "log"), string.Empty);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task On_this_machine_check_finds_the_symbol_that_the_tests_themselves_need()
    {
        // These tests run TorchSharp, which cannot load without the symbol: the real check must find it and change nothing.
        var (code, output, _) = await Run(["--check"], fake: false);
        output.Should().Contain($"provides {Symbol}; nothing to do.");
        code.Should().Be(0);
    }

    [Fact]
    public async Task A_libstdcxx_with_the_symbol_needs_nothing_and_apt_is_never_called()
    {
        var (code, output, _) = await Run(["--check"], libstdcxx: "libstdc++ ... " + Symbol + " ...", os: Bookworm);
        output.Should().Contain($"provides {Symbol}; nothing to do.");
        code.Should().Be(0);
        Calls().Should().NotContain(c => c.StartsWith("apt-get", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Check_on_debian_12_without_the_symbol_prints_apts_simulation_and_changes_nothing(bool trixieKnown)
    {
        var (code, output, _) = await Run(["--check"], libstdcxx: "only GLIBCXX_3.4.30 here", os: Bookworm,
            extra: new() { ["FAKE_TRIXIE_KNOWN"] = trixieKnown ? "1" : "0" });

        output.Should().Contain($"{Symbol} is missing").And.Contain("would add Debian 13 (trixie)")
            .And.Contain("upgrade base-files 12.4+deb12u15 -> 13.8+deb13u8").And.Contain("install gcc-14-base 14.2.0-19")
            .And.Contain("upgrade libc6 2.36-9+deb12u14 -> 2.41-12+deb13u5").And.Contain("3 package(s) in all.");
        code.Should().Be(1, "--check exits 1 when the symbol is missing");
        var apt = Calls().Where(c => c.StartsWith("apt-get", StringComparison.Ordinal)).ToList();
        apt.Should().Contain(c => c.Contains(" -s ", StringComparison.Ordinal) && c.EndsWith("-t trixie libstdc++6", StringComparison.Ordinal));
        apt.Should().OnlyContain(c => c.Contains(" -s ", StringComparison.Ordinal) || (c.EndsWith(" update -qq", StringComparison.Ordinal) && c.Contains("Dir::State::Lists=/tmp", StringComparison.Ordinal)),
            "--check only simulates, and reads package lists into a folder of its own");
        if (trixieKnown)
        {
            apt.Should().NotContain(c => c.Contains("update", StringComparison.Ordinal), "apt's own lists already hold trixie");
        }
        else
        {
            apt.Should().Contain(c => c.Contains("update", StringComparison.Ordinal)).And.OnlyContain(c => c.Contains("Dir::Etc::SourceList=/tmp", StringComparison.Ordinal));
        }

        Calls().Should().NotContain(c => c.StartsWith("sudo", StringComparison.Ordinal) || c.StartsWith("tee", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_elsewhere_without_the_symbol_says_what_to_do_and_simulates_nothing()
    {
        var (code, output, _) = await Run(["--check"], libstdcxx: "nothing", os: "ID=ubuntu\nVERSION_CODENAME=jammy\nPRETTY_NAME=\"Ubuntu 22.04\"\n");
        output.Should().Contain($"{Symbol} is missing").And.Contain("not Debian 12").And.Contain("Ubuntu 22.04");
        code.Should().Be(1);
        Calls().Should().NotContain(c => c.StartsWith("apt-get", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_names_missing_video_packages_without_installing_them()
    {
        var (code, output, _) = await Run(["--check"], libstdcxx: Symbol, os: Bookworm, extra: new() { ["FAKE_VIDEO_LIBS"] = "0" });
        output.Should().Contain("video needs libgtk-3-0 libatomic1; without --check they would be installed");
        code.Should().Be(0);
        Calls().Should().NotContain(c => c.StartsWith("apt-get", StringComparison.Ordinal) || c.StartsWith("sudo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_terminal_and_without_yes_the_install_asks_and_changes_nothing()
    {
        var (code, output, error) = await Run([], libstdcxx: "old", os: Bookworm);
        output.Should().Contain("this script would:").And.Contain("prerequisites: nothing changed.");
        error.Should().Contain("no terminal to ask on; run again with --yes");
        code.Should().Be(1);
        Calls().Should().BeEmpty("nothing is written, updated or installed before the user agrees");
    }

    [Fact]
    public async Task A_dpkg_status_simulates_for_that_system_whatever_this_one_has()
    {
        var status = Path.Combine(_folder, "status");
        File.WriteAllText(status, "Package: libc6\nStatus: install ok installed\n");
        var (code, output, _) = await Run(["--check", "--dpkg-status", status], libstdcxx: Symbol, os: "ID=debian\nVERSION_CODENAME=trixie\n",
            extra: new() { ["FAKE_TRIXIE_KNOWN"] = "1" });
        output.Should().Contain("3 package(s) in all.");
        code.Should().Be(0);
        Calls().Should().ContainSingle(c => c.StartsWith("apt-get", StringComparison.Ordinal)).Which.Should()
            .Contain($"Dir::State::status={status}").And.Contain(" -s ");
    }

    [Theory]
    [InlineData(new[] { "--frobnicate" }, "unknown argument '--frobnicate'")]
    [InlineData(new[] { "--dpkg-status", "/etc/hostname" }, "--dpkg-status only goes with --check")]
    [InlineData(new[] { "--check", "--dpkg-status" }, "--dpkg-status needs a file")]
    [InlineData(new[] { "--check", "--dpkg-status", "/no/such/status" }, "is not a file")]
    public async Task A_bad_argument_exits_2_before_anything_else(string[] args, string message)
    {
        var (code, _, error) = await Run(args, libstdcxx: "old", os: Bookworm);
        error.Should().Contain(message);
        code.Should().Be(2);
        Calls().Should().BeEmpty();
    }

    [Fact]
    public void The_docs_figures_name_the_command_that_reproduces_them()
    {
        foreach (var file in new[] { "README.md", "docs/getting-started.md", "docs/troubleshooting.md" })
        {
            var text = DocsPromiseTests.Read(file);
            text.Should().Contain("--check", $"{file} gives the package counts; the command that prints them for a machine is named there");
            text.Should().Contain("minimal-bookworm-status.py", $"{file} states the minimal Debian 12 figure; the command that reproduces it is named there");
        }
    }

    private const string Bookworm = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_CODENAME=bookworm\n";

    private List<string> Calls() => File.ReadAllLines(Path.Combine(_folder, "log")).Where(l => l.Length > 0).ToList();

    private async Task<(int Code, string Output, string Error)> Run(string[] args, string? libstdcxx = null, string? os = null,
        Dictionary<string, string>? extra = null, bool fake = true)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(DocsPromiseTests.Root, "eng", "install-prerequisites.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (fake)
        {
            var lib = Path.Combine(_folder, "libstdc++.so.6");
            File.WriteAllText(lib, libstdcxx ?? string.Empty, Encoding.ASCII);
            var release = Path.Combine(_folder, "os-release");
            File.WriteAllText(release, os ?? string.Empty);
            start.Environment["PATH"] = Path.Combine(_folder, "bin") + ":/usr/bin:/bin";
            start.Environment["NEURALSTYLE_PREREQ_LIBSTDCXX"] = lib;
            start.Environment["NEURALSTYLE_PREREQ_OS_RELEASE"] = release;
            start.Environment["FAKE_LOG"] = Path.Combine(_folder, "log");
            start.Environment["FAKE_DIR"] = _folder;
            start.Environment["TMPDIR"] = "/tmp";
            foreach (var (name, value) in extra ?? [])
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    private static void Fake(string bin, string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
