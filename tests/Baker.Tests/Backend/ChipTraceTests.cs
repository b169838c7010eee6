using System.Text.Json;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Compiler.IR;
using Baker.Runtime.Machine;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// trace() on the chip (TraceLog.cs): records from many threads at once give the interpreter's lines, and the
/// control code's lines (traced on the interpreter) fall among them by time; a full log
/// keeps its first records whole and counts the rest; a line's time is now() where the trace ran; --no-trace
/// leaves no trace in the microcode. (MeOpTests compares every traced op line's text; ChipDifferentialTests
/// the interpreter apps' lines, pipeline.baker's among them.)
/// </summary>
public class ChipTraceTests
{
    private const int Frames = 60;
    private const int TracesPerFrame = 3;
    private static readonly string App = Repo.Path("tests", "backend", "apps", "trace_burst.baker");
    private static readonly string Control = Repo.Path("tests", "backend", "apps", "trace_burst.ctl");

    /// <summary>The trace of 60 frames for trace_burst.baker, 100 ns apart: faster than the line, so they arrive back to back.</summary>
    private static string Burst(string dir)
    {
        var file = Path.Combine(dir, "burst.pcap");
        using var w = new PcapWriter(file);
        for (var k = 0; k < Frames; k++)
        {
            var frame = new byte[60];
            Convert.FromHexString($"0200000000{k:x2}0200000001{k:x2}00{k:x2}").CopyTo(frame, 0);
            w.Write(1_000_000 + k * 100L, frame, frame.Length);
        }
        return file;
    }

    private static T WithTemp<T>(Func<string, T> body)
    {
        var dir = Path.Combine(Path.GetTempPath(), "baker-trace-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try { return body(dir); }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ManyThreadsTraceTheInterpretersLines()
    {
        var chip = WithTemp(dir => ChipDifferentialTests.Compare(new RunRequest([App], ["0=" + Burst(dir)], Control, new CompileOptions()), new ChipRunOptions()));
        Assert.Equal(Frames * TracesPerFrame + 3, chip.TraceLines.Count);
        // The control code's lines sit among the microcode's by time: first, in the burst, last.
        var notes = chip.TraceLines.Select((l, i) => (l, i)).Where(x => TraceFormat.TextOf(x.l).StartsWith("control note", StringComparison.Ordinal)).ToList();
        Assert.Equal(["control note 1", "control note 2", "control note 3"], notes.Select(n => TraceFormat.TextOf(n.l)));
        Assert.Equal(0, notes[0].i);
        Assert.InRange(notes[1].i, 1, chip.TraceLines.Count - 2);
        Assert.Equal(chip.TraceLines.Count - 1, notes[2].i);
        // The threads did overlap: some frame's first line comes after a later frame's first line was taken, or the
        // lines of two frames interleave in time.
        var firstOf = chip.TraceLines.Select(TraceFormat.TextOf).Select((t, i) => (t, i)).Where(x => x.t.EndsWith(" in on port 0", StringComparison.Ordinal))
            .Select(x => x.i).ToList();
        var lastOf = chip.TraceLines.Select(TraceFormat.TextOf).Select((t, i) => (t, i)).Where(x => x.t.Contains(" out, ", StringComparison.Ordinal))
            .Select(x => x.i).ToList();
        Assert.Contains(Enumerable.Range(0, Frames - 1), k => firstOf[k + 1] < lastOf[k]);
    }

    [Fact]
    public void TheLastPacketsTraceAfterItLeftIsKept()
    {
        // Three frames, the last one dropped: its trace runs after its buffer is back on the free list.
        var chip = WithTemp(dir =>
        {
            var file = Path.Combine(dir, "three.pcap");
            using (var w = new PcapWriter(file))
                for (var k = 0; k < 3; k++)
                {
                    var frame = new byte[60];
                    Convert.FromHexString($"020000000001020000000002{(k == 2 ? 0 : k + 1):x4}").CopyTo(frame, 0);
                    w.Write(1_000_000 + k * 10_000L, frame, frame.Length);
                }
            return ChipDifferentialTests.Compare(new RunRequest([Repo.Path("tests", "backend", "apps", "trace_after_put.baker")], ["0=" + file], null, new CompileOptions()),
                new ChipRunOptions());
        });
        Assert.Equal(["sent type 1", "sent type 2", "dropped type 0"], chip.TraceLines.Select(TraceFormat.TextOf));
    }

    [Fact]
    public void AFullLogKeepsItsFirstRecordsAndCountsTheRest()
    {
        const int room = 40;
        var machine = MachineDescription.Default();
        machine.Dram.SizeBytes = MemoryMap.TraceArea(machine).Base + room * TraceLog.RecordBytes + 32;
        Assert.Equal(room, MemoryMap.TraceArea(machine).Records);
        var (outcome, reference, logFile) = WithTemp(dir =>
        {
            var request = new RunRequest([App], ["0=" + Burst(dir)], null, new CompileOptions());
            var run = ChipRun.Execute(request, new ChipRunOptions { Machine = machine }, Path.Combine(dir, "out"));
            return (run, InterpreterRun.Execute(request).Run!, File.ReadAllLines(Path.Combine(dir, "out", "trace.log")));
        });
        var summary = outcome.Summary!;
        Assert.Equal(Frames, summary.TxPackets);
        Assert.Equal(0, summary.Unaccounted);
        Assert.Equal(room, outcome.TraceLines.Count);
        Assert.Equal(Frames * TracesPerFrame - room, outcome.TraceLost);
        Assert.Equal(outcome.TraceLines, logFile);
        var counters = JsonDocument.Parse(summary.StatsJson).RootElement.GetProperty("counters");
        Assert.Equal(outcome.TraceLost, counters.GetProperty("trace_lost").GetInt64());
        // Whole records only: every line kept is one the interpreter printed, none twice.
        var expected = reference.TraceLines.Select(TraceFormat.TextOf).ToHashSet();
        Assert.All(outcome.TraceLines, l => Assert.Contains(TraceFormat.TextOf(l), expected));
        Assert.Equal(room, outcome.TraceLines.Select(TraceFormat.TextOf).Distinct().Count());
        // The first ones: the records were taken in order, so the frames they name are the first frames, give or take
        // the threads in flight (eight per ME) when the log filled.
        var frames = outcome.TraceLines.Select(l => int.Parse(TraceFormat.TextOf(l).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(frames.Max() < room / 2 + 16, $"the log kept a line of frame {frames.Max()}");
    }

    [Fact]
    public void ALinesTimeIsNowWhereTheTraceRan()
    {
        var module = IrParser.Parse("""
            app clock
            func @stamp() -> u64 helper {
            b0:
              %0: u64 = now
              trace "now was %u", %0
              ret %0
            }
            """, "stamp.ir");
        var f = module.Function("stamp")!;
        var (code, diags) = MeBackend.Compile([f]);
        Assert.True(code is not null, string.Join("\n", diags));
        var (value, fault, _, traces) = MeOpTests.RunOnChip(module, f, code, []);
        Assert.Null(fault);
        var line = Assert.Single(traces);
        Assert.Equal($"now was {value}", TraceFormat.TextOf(line));
        // __now reads the clock at its entry, then converts for some 170 instructions (Clock.cs: 164 at 600 MHz); the
        // trace reads it a few instructions after that: about 300 ns later, never before.
        var after = TraceFormat.TimeOf(line) - (long)value;
        Assert.InRange(after, 250, 400);
        Assert.True(value > 0, "the chip's clock did not run");
    }

    [Fact]
    public void NoTraceLeavesNoTraceInTheMicrocode()
    {
        var traced = ChipBuild.Execute([App], new CompileOptions(), new ChipBuildOptions()).Program!;
        var untraced = ChipBuild.Execute([App], new CompileOptions { NoTrace = true }, new ChipBuildOptions()).Program!;
        Assert.Equal(TracesPerFrame, traced.Build.Assembly.Split('\n').Count(l => l.Trim() == $"bal[b15, {TraceLog.Routine}]"));
        Assert.DoesNotContain(TraceLog.Routine, untraced.Build.Assembly);
        Assert.DoesNotContain("TRACE_", untraced.Build.Assembly);
        var run = WithTemp(dir =>
        {
            var outcome = ChipRun.Execute(new RunRequest([App], ["0=" + Burst(dir)], null, new CompileOptions { NoTrace = true }), new ChipRunOptions(), dir);
            Assert.False(File.Exists(Path.Combine(dir, "trace.log")));
            return outcome;
        });
        Assert.Empty(run.TraceLines);
        Assert.Equal(Frames, run.Summary!.TxPackets);
    }
}
