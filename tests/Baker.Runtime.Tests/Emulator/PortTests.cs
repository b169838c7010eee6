using Baker.Runtime.Machine;
using Baker.Runtime.Pcap;
using Baker.Runtime.Ports;

namespace Baker.Runtime.Tests.Emulator;

public class PortTests
{
    [Fact]
    public void ReceiveRingOverflowDropsAndCounts()
    {
        // Nothing consumes the receive ring (512 words = 256 descriptors): the rest are dropped and counted.
        var o = new EmulatorOptions { DrainIdleCycles = 10_000 };
        o.Traces[0] = TestUtil.Trace(300, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(256, s.RxPackets);
        Assert.Equal(44, s.Dropped);
        Assert.Contains("\"rx_ring_full\": 44", s.StatsJson);
    }

    [Fact]
    public void RunningOutOfBuffersDropsAndCounts()
    {
        var m = MachineDescription.Default();
        m.Buffers.Count = 100;
        var o = new EmulatorOptions { Machine = m, DrainIdleCycles = 10_000 };
        o.Traces[1] = TestUtil.Trace(130, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(100, s.RxPackets);
        Assert.Contains("\"no_buffer\": 30", s.StatsJson);
    }

    [Theory]
    [InlineData(1.0, 672)]
    [InlineData(0.5, 1344)]
    [InlineData(0.25, 2688)]
    public void FramesArriveAtTheGivenLoad(double load, long gapNs)
    {
        // 60-byte frames: (60 + 4 FCS + 20) bytes x 8 = 672 ns at 1 Gbit/s; at load L, 672 / L ns apart.
        var dir = TestUtil.TempDir();
        var o = new EmulatorOptions { OutputDirectory = dir, Traffic = { Load = load } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.Trace(200, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(200, s.TxPackets);
        var frames = PcapReader.ReadFile(Path.Combine(dir, "port0.pcap"));
        Assert.Equal(200, frames.Count);
        for (var i = 0; i < 200; i++) Assert.Equal(i, frames[i].Data[17] | frames[i].Data[16] << 8);
        // The mean gap over the trace is the paced interval (single gaps jitter by the polling loop's phase).
        var mean = (frames[^1].TimestampNs - frames[10].TimestampNs) / (double)(frames.Count - 11);
        Assert.InRange(mean, gapNs - 2, gapNs + 2);
        var expectedSeconds = 200 * gapNs * 1e-9;
        Assert.InRange(s.Seconds, expectedSeconds, expectedSeconds * 1.05);
    }

    [Fact]
    public void SaturatingInputIsHeldBackInsteadOfDropped()
    {
        var o = new EmulatorOptions { Traffic = { Timing = InputTiming.Saturate } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.Trace(500, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(500, s.RxPackets);
        Assert.Equal(500, s.TxPackets);
        Assert.Equal(0, s.Dropped);
    }

    [Fact]
    public void BlockedSaturatingPortWaitsForABufferWithoutPolling()
    {
        // Four buffers for 500 frames: the port is blocked most of the time. It is woken when a buffer comes
        // back, so the scheduler runs a bounded number of agent slices per frame whatever the wait.
        var m = MachineDescription.Default();
        m.Buffers.Count = 4;
        var o = new EmulatorOptions { Machine = m, Traffic = { Timing = InputTiming.Saturate } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.Trace(500, 60);
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var s = EmulatorRun.Finish(chip, o);
        Assert.Equal(500, s.RxPackets);
        Assert.Equal(500, s.TxPackets);
        Assert.Equal(0, s.Dropped);
        Assert.True(chip.AgentRuns < 500 * 12, $"{chip.AgentRuns} agent runs for 500 frames");
    }

    [Fact]
    public void MicrocodeDropsEnterThePacketAccounting()
    {
        // Every other frame is dropped by the microcode: counted on a .drop counter, its buffer freed.
        const string dropper = """
            .drop odd scratch 0x3000
            .me 0
            .ctx 0
            loop:
                scratch[get, $0, --, 0, 2], ctx_swap[1]
                alu[a0, --, B, $0]
                br_eq[loop]
                alu[b0, --, B, $1]
                alu[a1, a1, XOR, 1]
                br_bset[a1, 0, odd]
            even:
                alu[$0, --, B, a0]
                alu[$1, --, B, b0]
                scratch[put, $0, --, 1, 2], ctx_swap[2]
                br[loop]
            odd:
                immed[a2, 0x3000]
                scratch[incr, --, a2, 0, 1]
                alu[$0, --, B, a0]
                sram[put, $0, --, 0, 1], ctx_swap[2]
                br[loop]
            """;
        var o = new EmulatorOptions { Traffic = { Timing = InputTiming.Saturate } };
        o.Images.Add(TestUtil.Asm(dropper));
        o.Traces[0] = TestUtil.Trace(100, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(100, s.RxPackets);
        Assert.Equal(50, s.Dropped);
        Assert.Equal(50, s.TxPackets);
        Assert.Equal(0, s.Unaccounted);
        Assert.Contains("\"odd\": " + s.Dropped, s.StatsJson);

        // The same program without its counter: the frames it drops are reported as unaccounted.
        var o2 = new EmulatorOptions { Traffic = { Timing = InputTiming.Saturate } };
        o2.Images.Add(TestUtil.Asm(dropper.Replace(".drop odd", ".counter odd")));
        o2.Traces[0] = TestUtil.Trace(100, 60);
        var s2 = EmulatorRun.Run(o2);
        Assert.Equal(s.Dropped, s2.Unaccounted);
        Assert.Contains("UNACCOUNTED", s2.ToString());
    }

    /// <summary>One context that takes every receive descriptor and keeps the buffer: no packet ever leaves.</summary>
    private const string Hoarder = """
        .me 0
        .ctx 0
        loop:
            scratch[get, $0, --, 0, 2], ctx_swap[1]
            br[loop]
        """;

    [Fact]
    public void PacketsThatNeverLeaveEndTheRunOnceThePortsHaveBeenQuiet()
    {
        // The only ME polls on and on; no port event comes after the last frame. The run still ends
        // DrainIdleCycles after it (the port unit's quiet time bounds the ME's run), not at MaxCycles, and
        // reports the packets in flight.
        var o = new EmulatorOptions { Traffic = { Timing = InputTiming.Trace }, MaxCycles = 200_000_000 };
        o.Images.Add(TestUtil.Asm(Hoarder));
        o.Traces[0] = TestUtil.TimedTrace(60, 0, 1000, 2000);
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var s = EmulatorRun.Finish(chip, o);
        Assert.Equal(3, s.RxPackets);
        Assert.Equal(3, s.InFlight);
        Assert.Equal(0, s.Unaccounted);
        Assert.Contains("in flight 3", s.ToString());
        Assert.InRange(s.Cycles, o.DrainIdleCycles, o.DrainIdleCycles + 5_000);
    }

    [Fact]
    public void SaturatingInputThatCanNeverBeTakenEndsTheRunOnceQuiet()
    {
        // Four buffers, kept for good: the port blocks on the fifth frame, and nothing will ever free a buffer.
        var m = MachineDescription.Default();
        m.Buffers.Count = 4;
        var o = new EmulatorOptions { Machine = m, Traffic = { Timing = InputTiming.Saturate }, MaxCycles = 200_000_000 };
        o.Images.Add(TestUtil.Asm(Hoarder));
        o.Traces[0] = TestUtil.Trace(10, 60);
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var s = EmulatorRun.Finish(chip, o);
        Assert.Equal(4, s.RxPackets);
        Assert.Equal(4, s.InFlight);
        Assert.Equal(4, chip.Ports.Stats(0).Offered);
        Assert.InRange(s.Cycles, o.DrainIdleCycles, o.DrainIdleCycles + 5_000);
    }

    [Fact]
    public void AGapLongerThanTheDrainTimeBeforeTheLastFrameDoesNotEndTheRun()
    {
        // 10 ms between the frames, 6 M cycles, three times the drain time: the second frame's arrival is activity
        // (the run must not stop between its arrival and its delivery to the receive ring).
        var o = new EmulatorOptions { Traffic = { Timing = InputTiming.Trace } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.TimedTrace(60, 0, 10_000_000);
        var s = EmulatorRun.Run(o);
        Assert.Equal(2, s.TxPackets);
        Assert.Equal(0, s.InFlight);
    }

    [Fact]
    public void TransmittedFramesAreStampedWithTheTimeOfDay()
    {
        // Cycle 0 is the trace's epoch (its earliest timestamp), so a frame leaves at the epoch + the emulated time
        // of its first bit: never before it has fully arrived (672 ns for 60 bytes at 1 Gbit/s), and soon after.
        const long t = 1_780_000_000_123_456_789;
        long[] stamps = [t, t + 1_000_000, t + 1_000_500, t + 3_000_000];
        var dir = TestUtil.TempDir();
        var o = new EmulatorOptions { OutputDirectory = dir, Traffic = { Timing = InputTiming.Trace } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.TimedTrace(60, stamps);
        var s = EmulatorRun.Run(o);
        Assert.Equal(4, s.TxPackets);
        var frames = PcapReader.ReadFile(Path.Combine(dir, "port0.pcap"));
        for (var i = 0; i < frames.Count; i++)
        {
            var k = frames[i].Data[17];
            Assert.InRange(frames[i].TimestampNs - stamps[k], 672, 2_000);
        }
    }
}
