using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Ports;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>Input played at the trace's own timestamps (<see cref="InputTiming.Trace"/>).</summary>
public class InputTimingTests
{
    // A realistic capture time (2026), so the conversion of large timestamps is exercised too.
    private const long T = 1_780_000_000_123_456_789;

    // 60-byte frames: (60 + 4 FCS + 20) bytes x 8 bits at 1 Gbit/s = 672 ns = 403.2 cycles at 600 MHz.
    private const double Wire = 403.2;

    /// <summary>
    /// Runs without microcode and returns when each frame's descriptor reached the receive ring, with its port
    /// and frame number. The DRAM controller is idle between frames here, so these times are the arrival times
    /// plus one constant DMA delay.
    /// </summary>
    private static (List<(long Cycle, int Port, int Frame)> Frames, Chip Chip) Run(EmulatorOptions o)
    {
        var times = new List<long>();
        o.Traffic.Timing = InputTiming.Trace;
        o.DrainIdleCycles = 10_000;
        o.Setup = chip => chip.Ring(MemorySpace.Scratch, 0)!.OnPut += times.Add;
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var rx = chip.Ring(MemorySpace.Scratch, 0)!;
        var d = new uint[2];
        var frames = times.Select(t =>
        {
            Assert.True(rx.Get(d, chip.EndTime));
            return (t, (int)(d[1] >> 16), chip.DramMemory[d[0] + 16] << 8 | chip.DramMemory[d[0] + 17]);
        }).ToList();
        return (frames, chip);
    }

    private static long[] Relative(List<(long Cycle, int Port, int Frame)> frames) => frames.Select(f => f.Cycle - frames[0].Cycle).ToArray();

    [Fact]
    public void FramesOneMillisecondApartArrive600000CyclesApart()
    {
        var o = new EmulatorOptions();
        o.Traces[0] = TestUtil.TimedTrace(60, T, T + 1_000_000);
        var (frames, chip) = Run(o);
        Assert.Equal([0L, 600_000], Relative(frames));
        Assert.Equal(T, chip.Ports.TraceEpochNs);
        var stats = EmulatorRun.Finish(chip, o).StatsJson;
        Assert.Contains("\"timing\": \"trace\"", stats);
        Assert.Contains($"\"traceEpochNs\": {T}", stats);
    }

    [Fact]
    public void PortsAreAlignedToTheEarliestTimestampOfAllTraces()
    {
        var o = new EmulatorOptions();
        o.Traces[0] = TestUtil.TimedTrace(60, T + 500_000);
        o.Traces[1] = TestUtil.TimedTrace(60, T);
        var (frames, chip) = Run(o);
        Assert.Equal(T, chip.Ports.TraceEpochNs);
        Assert.Equal([1, 0], frames.Select(f => f.Port));
        Assert.Equal([0L, 300_000], Relative(frames));
        // The first frame starts at cycle 0, the epoch, and has fully arrived after its wire time.
        Assert.Equal((long)Math.Ceiling(Wire) + chip.Machine.Dram.LatencyCycles, frames[0].Cycle);
    }

    [Fact]
    public void FramesCloserThanTheirWireTimeAreSpacedByIt()
    {
        var o = new EmulatorOptions();
        o.Traces[0] = TestUtil.TimedTrace(60, T, T + 100, T + 200);
        var (frames, _) = Run(o);
        Assert.Equal([0, 1, 2], frames.Select(f => f.Frame));
        // Exact (fractional) wire times accumulate: last bits at 403.2, 806.4, 1209.6 → cycles 404, 807, 1210.
        Assert.Equal([0L, 403, 806], Relative(frames));
    }

    [Fact]
    public void RepetitionsFollowEachOtherByTheSpanOfTheTraces()
    {
        // The second pass is shifted by 1 ms, the span: its first frame would start with the last of the first
        // pass, so it follows that one by a wire time.
        var o = new EmulatorOptions { Traffic = { Repeat = 2 } };
        o.Traces[0] = TestUtil.TimedTrace(60, T, T + 1_000_000);
        var (frames, _) = Run(o);
        Assert.Equal([0L, 600_000, 600_403, 1_200_000], Relative(frames));
    }

    [Fact]
    public void FramesFindingNoBufferAreDroppedAsWhenPaced()
    {
        var m = MachineDescription.Default();
        m.Buffers.Count = 2;
        var o = new EmulatorOptions { Machine = m };
        o.Traces[0] = TestUtil.TimedTrace(60, T, T, T, T + 5_000_000);
        var (frames, chip) = Run(o);
        Assert.Equal(2, frames.Count);
        Assert.Equal(2, chip.Ports.Stats(0).Drops["no_buffer"]);
    }
}
