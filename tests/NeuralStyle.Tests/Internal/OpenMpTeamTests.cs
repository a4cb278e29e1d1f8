using System;
using System.Threading;
using FluentAssertions;
using NeuralStyle.Internal;
using NeuralStyle.Tests.TestSupport;
using Xunit;

namespace NeuralStyle.Tests.Internal;

/// <summary>
/// The kernels' parts run on libtorch's OpenMP team (<see cref="OpenMpTeam"/>): on Linux its libgomp is found, two parts
/// at two libtorch threads run on two threads (the caller and a worker), every part runs once however many there are,
/// part t of as many parts as threads runs on the team's thread t (the caller is thread 0), a part's exception reaches the
/// caller, and with one libtorch thread everything runs on the calling thread.
/// </summary>
public sealed unsafe class OpenMpTeamTests
{
    private const int MaxParts = 8;

    [Fact]
    public void On_linux_libtorch_s_libgomp_is_found()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("libgomp is libtorch's OpenMP runtime on Linux only.");
        }

        OpenMpTeam.IsAvailable.Should().BeTrue();
    }

    [Fact]
    public void The_libgomp_beside_libtorch_is_chosen_among_those_mapped()
    {
        const string Package = "/root/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native";
        string[] withSystem = ["/usr/lib/x86_64-linux-gnu/libgomp.so.1", $"{Package}/libtorch_cpu.so", $"{Package}/libgomp-98b21ff3.so.1", "[heap]"];
        OpenMpTeam.ChooseLibgomp(withSystem).Should().Be($"{Package}/libgomp-98b21ff3.so.1");
        OpenMpTeam.ChooseLibgomp(["/opt/torch/lib/libtorch_cpu.so", "/usr/lib/libgomp.so.1", "/usr/lib/libgomp.so.1"]).Should().Be("/usr/lib/libgomp.so.1", "the only one mapped");
        OpenMpTeam.ChooseLibgomp(["/a/libgomp.so.1", "/b/libgomp.so.1"]).Should().BeNull("two, and neither beside libtorch");
        OpenMpTeam.ChooseLibgomp(["/opt/torch/lib/libtorch_cpu.so", "/opt/torch/lib/libiomp5.so"]).Should().BeNull("another OpenMP runtime");
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 5)]
    [InlineData(1, 3)]
    public void Every_part_runs_once_on_up_to_libtorch_s_threads(int threads, int parts)
    {
        var record = LibtorchThreads.Run(threads, () =>
        {
            var state = new Record { Caller = Environment.CurrentManagedThreadId };
            OpenMpTeam.Run(parts, &Count, &state);
            return state;
        });

        for (var part = 0; part < MaxParts; part++)
        {
            record.Runs[part].Should().Be(part < parts ? 1 : 0, $"part {part} of {parts}");
        }

        if (threads == 1 || !OpenMpTeam.IsAvailable)
        {
            record.OnOtherThreads.Should().Be(0, "one libtorch thread runs every part on the calling thread");
        }
        else if (parts == threads)
        {
            // Both threads take a part as the region starts, unless one finished before the other began: wait for it.
            record.OnOtherThreads.Should().Be(1, "the team's worker takes the second part");
        }
    }

    [Fact]
    public void Each_of_as_many_parts_as_threads_runs_on_the_team_thread_of_its_number_every_time()
    {
        if (!OpenMpTeam.IsAvailable)
        {
            Assert.Skip("No libgomp team here: every part runs on the calling thread.");
        }

        var (onCaller, elsewhere) = LibtorchThreads.Run(2, () =>
        {
            int first = 0, second = 0;
            for (var run = 0; run < 50; run++)
            {
                // No pause in the parts: whichever thread is first to start cannot take the other's part.
                var state = new Record { Caller = Environment.CurrentManagedThreadId };
                OpenMpTeam.Run(2, &Where, &state);
                first += state.Starts[0];
                second += state.Starts[1];
            }

            return (first, second);
        });

        onCaller.Should().Be(50, "part 0 runs on the calling thread, team thread 0, in every region");
        elsewhere.Should().Be(0, "part 1 runs on the worker, team thread 1, in every region");
    }

    [Theory]
    [InlineData(9, 2)]
    [InlineData(8, 3)]
    [InlineData(3, 8)]
    public void Row_bands_run_every_row_once_and_leave_the_rows_where_bands_meet_to_the_caller(int rows, int bands)
    {
        var record = LibtorchThreads.Run(2, () =>
        {
            var state = new Record { Caller = Environment.CurrentManagedThreadId };
            OpenMpTeam.RunRowBands(rows, bands, &CountRows, &state);
            return state;
        });

        for (var row = 0; row < MaxParts; row++)
        {
            record.Runs[row].Should().Be(row < rows ? 1 : 0, $"row {row} of {rows}");
        }

        // At most one band per two rows; a band but the first leaves its first row, run alone on the calling thread.
        var count = Math.Clamp(bands, 1, Math.Max(1, rows / 2));
        for (var k = 1; k < count; k++)
        {
            record.AloneOnCaller[(long)rows * k / count].Should().Be(1, $"the first row of band {k}");
        }
    }

    [Theory]
    [InlineData(8, 2, 1)]
    [InlineData(8, 3, 2)]
    [InlineData(7, 3, 2)]
    [InlineData(5, 3, 4)]
    [InlineData(3, 8, 1)]
    public void Ranges_cover_every_element_once_and_start_at_multiples(int length, int parts, int multiple)
    {
        var record = LibtorchThreads.Run(2, () =>
        {
            var state = new Record();
            OpenMpTeam.RunRanges(length, parts, multiple, &CountRange, &state);
            return state;
        });

        for (var element = 0; element < MaxParts; element++)
        {
            record.Runs[element].Should().Be(element < length ? 1 : 0, $"element {element} of {length}");
            if (record.Starts[element] > 0)
            {
                (element % multiple).Should().Be(0, $"a range starts at {element}");
            }
        }
    }

    [Fact]
    public void A_part_s_exception_reaches_the_caller_after_the_parts_end()
    {
        var (record, error) = LibtorchThreads.Run(2, () =>
        {
            var state = new Record();
            try
            {
                OpenMpTeam.Run(4, &Throw, &state);
                return (state, (Exception?)null);
            }
            catch (InvalidOperationException ex)
            {
                return (state, ex);
            }
        });

        error.Should().NotBeNull();
        error!.Message.Should().Be("part 2 failed");
        for (var part = 0; part < 4; part++)
        {
            record.Runs[part].Should().Be(1, "the other parts still run");
        }
    }

    private static void Count(int part, void* data)
    {
        var record = (Record*)data;
        Interlocked.Increment(ref record->Runs[part]);
        if (Environment.CurrentManagedThreadId != record->Caller)
        {
            Interlocked.Increment(ref record->OnOtherThreads);
        }

        // Long enough that the second thread of the team takes the second part rather than the first thread both.
        Thread.Sleep(20);
    }

    // Starts[part] = 1 where the part ran on the calling thread.
    private static void Where(int part, void* data)
    {
        var record = (Record*)data;
        record->Starts[part] = Environment.CurrentManagedThreadId == record->Caller ? 1 : 0;
    }

    private static void CountRows(long first, long end, void* data)
    {
        var record = (Record*)data;
        for (var row = first; row < end; row++)
        {
            Interlocked.Increment(ref record->Runs[row]);
        }

        if (end - first == 1 && Environment.CurrentManagedThreadId == record->Caller)
        {
            record->AloneOnCaller[first]++;
        }
    }

    private static void CountRange(long first, long end, void* data)
    {
        var record = (Record*)data;
        for (var element = first; element < end; element++)
        {
            Interlocked.Increment(ref record->Runs[element]);
        }

        if (end > first)
        {
            Interlocked.Increment(ref record->Starts[first]);
        }
    }

    private static void Throw(int part, void* data)
    {
        Interlocked.Increment(ref ((Record*)data)->Runs[part]);
        if (part == 2)
        {
            throw new InvalidOperationException("part 2 failed");
        }
    }

    private struct Record
    {
        public int Caller;
        public int OnOtherThreads;
        public fixed int Runs[MaxParts];
        public fixed int AloneOnCaller[MaxParts];
        public fixed int Starts[MaxParts];
    }
}
