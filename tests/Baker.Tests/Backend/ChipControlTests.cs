using System.Buffers.Binary;
using System.Text.Json;
using Baker.Compiler.Backend.Me;
using Baker.Compiler.Driver;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Pcap;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// Control lines during a chip run (issue 6): @time lines run as control-core tasks at their trace times and
/// @end lines after the traffic, against state the microengines update, so the run gives the interpreter's
/// frames, drops and control log; the control core invalidates what it reads and cleans what it writes, so
/// the coherence checker finds no stale read. Control code that makes packets (tests/backend/control/made.baker,
/// reinject.baker): the control core puts them on the chip where and as the microcode expects them.
/// </summary>
public class ChipControlTests
{
    [Fact]
    public void TimedLinesChangeTheRunAsOnTheInterpreter()
    {
        var chip = ChipDifferentialTests.Compare("tests/backend/control/steer.baker",
            ["0=samples/firewall/traces/changes_p0.pcap", "1=samples/firewall/traces/changes_p1.pcap"], "tests/backend/control/steer.ctl");
        Assert.Empty(chip.StaleReads);
        var core = JsonDocument.Parse(chip.Summary!.StatsJson).RootElement.GetProperty("controlCore");
        Assert.Empty(core.GetProperty("staleReads").EnumerateArray());
        // Every line ran on the control core, and the coherence path was taken both ways.
        Assert.Equal(17, core.GetProperty("tasks").GetInt64());
        Assert.True(core.GetProperty("linesInvalidated").GetInt64() > 0, "the control core invalidated nothing before reading");
        Assert.True(core.GetProperty("linesCleaned").GetInt64() > 0, "the control core cleaned nothing after writing");
        // The inputs are played at their own timestamps: the control times are trace times.
        Assert.Equal("trace", JsonDocument.Parse(chip.Summary.StatsJson).RootElement.GetProperty("input").GetProperty("timing").GetString());
    }

    private const string Made = "tests/backend/control/made.baker";

    /// <summary>40 frames of 64 bytes, 5 µs apart (the traffic made.ctl and reinject.ctl are timed against).</summary>
    private static string Frames(string dir)
    {
        var path = Path.Combine(dir, "in0.pcap");
        using var w = new PcapWriter(path);
        for (var i = 0; i < 40; i++)
        {
            var frame = new byte[64];
            Convert.FromHexString("0200000000ff0200000000aa88b5").CopyTo(frame, 0);
            frame.AsSpan(14).Fill((byte)i);
            w.Write(1_000_000_000L + i * 5000L, frame, frame.Length);
        }
        return path;
    }

    private static T WithFrames<T>(Func<string, T> run)
    {
        var dir = Path.Combine(Path.GetTempPath(), "baker-made-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            return run(Frames(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static JsonElement Stats(ChipRunOutcome chip) => JsonDocument.Parse(chip.Summary!.StatsJson).RootElement;

    [Fact]
    public void PacketsControlCodeMakesAgreeWithTheInterpreter()
    {
        var chip = WithFrames(trace => ChipDifferentialTests.Compare(Made, ["0=" + trace], "tests/backend/control/made.ctl"));
        var stats = Stats(chip);
        // Every packet the control lines made is counted (the burst's copies too), so conservation holds.
        Assert.Equal(281, stats.GetProperty("packets").GetProperty("made").GetInt64());
        // The burst of 200 met fwd's full ring (128 handles) and waited for room.
        var rings = stats.GetProperty("rings").EnumerateArray().ToList();
        Assert.Contains(rings, r => r.GetProperty("sizeWords").GetInt32() == 128 && r.GetProperty("refusedPuts").GetInt64() > 0);
        Assert.True(stats.GetProperty("controlCore").GetProperty("linesCleaned").GetInt64() > 0);
    }

    [Fact]
    public void ControlPacketsOnTheInputRxFeedsAgreeWithTheInterpreter() =>
        WithFrames(trace => ChipDifferentialTests.Compare("tests/backend/control/reinject.baker", ["0=" + trace], "tests/backend/control/reinject.ctl"));

    /// <summary>
    /// The start line's packet before any ME runs, read from memory (not through the core's cache): the bytes at the
    /// handle, behind the headroom of a buffer from the free list, and the record the MEs read (end, then each
    /// metadata field's low and high word), on fwd's input ring; made and dropped counted.
    /// </summary>
    [Fact]
    public void AControlPacketLiesWhereTheMicrocodeReadsIt()
    {
        var built = ChipBuild.Execute([Repo.Path(Made)], new CompileOptions(), new ChipBuildOptions());
        var program = built.Program!;
        var loaded = ChipRun.Load(program, Repo.Path("tests", "backend", "control", "made.ctl"), new(), [], null);
        var chip = loaded.Chip;
        var free = chip.Ring(MemorySpace.Sram, program.Machine.Buffers.FreeListRing)!.Count;
        chip.ControlCore.RunRemaining(0);
        Assert.Equal(free - 1, chip.Ring(MemorySpace.Sram, program.Machine.Buffers.FreeListRing)!.Count);

        Span<uint> d = stackalloc uint[2];
        Assert.True(chip.Ring(MemorySpace.Scratch, program.Build.InputRings["f.made"])!.Get(d[..1], 0));
        var handle = d[0];
        Assert.False(chip.Ring(MemorySpace.Scratch, program.Build.InputRings["f.made"])!.Get(d[..1], 0));
        var buffer = handle & ~2047u;
        Assert.Equal(buffer + 128, handle);
        var frame = new byte[33];
        Convert.FromHexString("020000000001" + "020000000001" + "88b5").CopyTo(frame, 0);
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(chip.DramMemory.AsSpan((int)handle, 33)));

        var record = loaded.Control.RecordOf(program.Machine, buffer);
        Assert.Equal(program.Build.Map.Records + (buffer - program.Machine.Buffers.DramBase) / 2048 * 128, record);
        uint Word(int k) => BinaryPrimitives.ReadUInt32BigEndian(chip.SramMemory.AsSpan((int)record + 4 * k));
        Assert.Equal(handle + 33, Word(0));
        var meta = program.Module.Metadata;
        (uint Low, uint High) Field(string name)
        {
            var i = meta.FindIndex(m => m.Name == name);
            return (Word(2 + 2 * i), Word(3 + 2 * i));
        }
        Assert.Equal((3u, 0u), Field("flow"));
        Assert.Equal((1u, 0u), Field("cookie"));
        Assert.Equal((0x55667788u, 0x11223344u), Field("stamp"));
        Assert.Equal((0xfffffffdu, 0u), Field("delta"));     // -3, sign-extended in its one word
        Assert.Equal((1u, 0u), Field("urgent"));
        Assert.Equal((255u, 0u), Field("in_port"));
        Assert.Equal((0u, 0u), Field("out_port"));

        // send and waste made one packet each; waste's was dropped by the program.
        Assert.Equal(2u, chip.ReadWord(MemorySpace.Sram, program.Build.Map.MadeCounter));
        var program_ = Array.IndexOf(ProgramBuilder.DropReasons, "program");
        Assert.Equal(1u, chip.ReadWord(MemorySpace.Sram, program.Build.Map.DropCounters + 4 * (uint)program_));
        Assert.Equal(1, loaded.Control.PacketsSent);
    }

    /// <summary>
    /// A port the machine does not have, a fault after a put and a packet one byte longer than a buffer holds: the
    /// microcode's outcomes, counted (the interpreter, which has every port and grows its packets, sends them).
    /// </summary>
    [Fact]
    public void RefusedAndFaultedControlPacketsAreCounted()
    {
        var (chip, reference) = WithFrames(trace =>
        {
            var request = new RunRequest([Repo.Path(Made)], ["0=" + trace], Repo.Path("tests", "backend", "control", "made_refused.ctl"), new CompileOptions());
            return (ChipRun.Execute(request, new ChipRunOptions(), null), InterpreterRun.Execute(request).Run!);
        });
        Assert.Equal(["m.fail(0) failed: div_by_zero: division by zero"], chip.Setup!.ControlLog);
        Assert.Equal(reference.ControlLog, chip.Setup.ControlLog);
        var packets = Stats(chip).GetProperty("packets");
        Assert.Equal(5, packets.GetProperty("made").GetInt64());
        Assert.Equal(1, packets.GetProperty("drops").GetProperty("bad_port").GetInt64());
        Assert.Equal(1, packets.GetProperty("drops").GetProperty("div_by_zero").GetInt64());
        Assert.Equal(1, packets.GetProperty("drops").GetProperty("packet_too_large").GetInt64());
        Assert.Equal(0, packets.GetProperty("unaccounted").GetInt64());
        Assert.Equal(0, packets.GetProperty("inFlight").GetInt64());
        // The frames, fail's first packet and the 1904-byte one (fwd sends cookie 5 to port 2).
        Assert.Equal(42, packets.GetProperty("transmitted").GetInt64());
        Assert.Equal(1, reference.Dropped["div_by_zero"]);
        Assert.Equal(7, Assert.Single(reference.Outputs, o => o.Data[11] == 6).Port);
        Assert.Equal([1904, 1905], reference.Outputs.Where(o => o.Data[11] == 1).Select(o => o.Data.Length).Order());
    }

    /// <summary>A machine of 8 buffers: the burst's packets wait on the empty free list for the ones the ports send back.</summary>
    [Fact]
    public void AnEmptyFreeListMakesTheCoreWait()
    {
        var machine = MachineDescription.Default();
        machine.Buffers.Count = 8;
        var chip = WithFrames(trace => ChipDifferentialTests.Compare(
            new RunRequest([Repo.Path(Made)], ["0=" + trace], Repo.Path("tests", "backend", "control", "made_buffers.ctl"), new CompileOptions()),
            new ChipRunOptions { Machine = machine }));
        var freeList = Stats(chip).GetProperty("rings").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "freelist");
        Assert.True(freeList.GetProperty("emptyGets").GetInt64() > 0, "the control core never found the free list empty");
        Assert.Equal(200 + 67, Stats(chip).GetProperty("packets").GetProperty("made").GetInt64());
    }

    /// <summary>
    /// A free list that stays empty: the core tries as __pkt_alloc does (InstructionSelection.AllocTries times, letting
    /// the chip run), then drops the packet no_buffer, counted as made and dropped.
    /// </summary>
    [Fact]
    public void AFreeListThatStaysEmptyDropsThePacketNoBuffer()
    {
        var built = ChipBuild.Execute([Repo.Path(Made)], new CompileOptions(), new ChipBuildOptions());
        var program = built.Program!;
        var script = Path.Combine(Path.GetTempPath(), "baker-nobuf-" + Guid.NewGuid().ToString("N") + ".ctl");
        File.WriteAllText(script, "m.to_port(1)\n");
        try
        {
            var loaded = ChipRun.Load(program, script, new(), [], null, maxCycles: 20_000_000);
            var freeList = loaded.Chip.Ring(MemorySpace.Sram, program.Machine.Buffers.FreeListRing)!;
            Span<uint> one = stackalloc uint[1];
            while (freeList.Get(one, 0)) { }
            loaded.Chip.Run(20_000_000);
            Assert.Equal(InstructionSelection.AllocTries, loaded.Control.PacketRetries);
            Assert.Equal(0, loaded.Control.PacketsSent);
            var map = program.Build.Map;
            Assert.Equal(1u, loaded.Chip.ReadWord(MemorySpace.Sram, map.MadeCounter));
            var noBuffer = Array.IndexOf(ProgramBuilder.DropReasons, "no_buffer");
            Assert.Equal(1u, loaded.Chip.ReadWord(MemorySpace.Sram, map.DropCounters + 4 * (uint)noBuffer));
            // Each try costs the core an SRAM access: the drop comes after AllocTries of them.
            Assert.True(loaded.Chip.ControlCore.CoreCycles >= (long)InstructionSelection.AllocTries * program.Machine.ControlCore.SramAccessCycles);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
