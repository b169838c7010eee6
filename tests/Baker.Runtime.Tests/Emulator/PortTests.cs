using Baker.Runtime.Machine;
using Baker.Runtime.Pcap;

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
        var o = new EmulatorOptions { Traffic = { Saturate = true } };
        o.Images.Add(TestUtil.Asm(TestUtil.Reflector));
        o.Traces[0] = TestUtil.Trace(500, 60);
        var s = EmulatorRun.Run(o);
        Assert.Equal(500, s.RxPackets);
        Assert.Equal(500, s.TxPackets);
        Assert.Equal(0, s.Dropped);
    }
}
