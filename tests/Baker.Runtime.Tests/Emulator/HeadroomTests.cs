using Baker.Runtime.Machine;
using Baker.Runtime.Memory;
using Baker.Runtime.Ports;

namespace Baker.Runtime.Tests.Emulator;

public class HeadroomTests
{
    [Fact]
    public void DefaultHeadroomIs128AndBadValuesAreRejected()
    {
        Assert.Equal(128, MachineDescription.Default().Buffers.HeadroomBytes);
        Assert.Equal(128, new BufferParams().HeadroomBytes);
        foreach (var bad in new[] { 12, -8, 2048 })
        {
            var m = MachineDescription.Default();
            m.Buffers.HeadroomBytes = bad;
            var e = Assert.Throws<MachineDescriptionException>(() => MachineDescription.Parse(m.ToJson(), "m.json"));
            Assert.Equal($"m.json: buffers.headroomBytes ({bad}) must be a multiple of 8 and less than buffers.sizeBytes (2048)", e.Message);
        }
    }

    [Fact]
    public void ReceivedFrameLandsAfterTheHeadroomAndTheDescriptorPointsAtIt()
    {
        var o = new EmulatorOptions { DrainIdleCycles = 10_000 };
        o.Traces[1] = TestUtil.Trace(1, 60);
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var b = chip.Machine.Buffers;
        Span<uint> d = stackalloc uint[2];
        Assert.True(chip.Ring(MemorySpace.Scratch, 0)!.Get(d, chip.EndTime));
        Assert.Equal(b.DramBase + 128, d[0]);
        Assert.Equal(1u << 16 | 60, d[1]);
        Assert.Equal(TestUtil.Frame(0, 60), chip.DramMemory.AsSpan((int)d[0], 60).ToArray());
        Assert.All(chip.DramMemory.AsSpan((int)b.DramBase, 128).ToArray(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void AFreedFrameAddressGivesBackTheWholeBuffer()
    {
        // One buffer; the microcode frees the frame address it was given (base + headroom). Receive must use
        // the buffer base again, so every frame lands at base + headroom, not one headroom further each time.
        const string freer = """
            .drop freed scratch 0x3000
            .me 0
            .ctx 0
            loop:
                scratch[get, $0, --, 0, 2], ctx_swap[1]
                alu[a0, --, B, $0]
                br_eq[loop]
                immed[a2, 0x3000]
                scratch[incr, --, a2, 0, 1]
                alu[$0, --, B, a0]
                sram[put, $0, --, 0, 1], ctx_swap[2]
                br[loop]
            """;
        var m = MachineDescription.Default();
        m.Buffers.Count = 1;
        var o = new EmulatorOptions { Machine = m, Traffic = { Timing = InputTiming.Saturate } };
        o.Images.Add(TestUtil.Asm(freer));
        o.Traces[0] = TestUtil.Trace(3, 60);
        var (chip, _) = EmulatorRun.Prepare(o);
        chip.Run(o.MaxCycles);
        var s = EmulatorRun.Finish(chip, o);
        Assert.Equal((3L, 3L, 0L), (s.RxPackets, s.Dropped, s.Unaccounted));
        // The run ends when the last buffer comes back, although the microcode polls on (not at MaxCycles).
        Assert.True(chip.EndTime < 100_000, $"ended at cycle {chip.EndTime}");
        var frameAt = (int)m.Buffers.DramBase + 128;
        Assert.Equal(TestUtil.Frame(2, 60), chip.DramMemory.AsSpan(frameAt, 60).ToArray());
        Assert.All(chip.DramMemory.AsSpan(frameAt + 128, 60).ToArray(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void AFreeListEntryOutsideTheBuffersStopsTheRun()
    {
        var m = MachineDescription.Default();
        m.Buffers.Count = 1;
        var o = new EmulatorOptions { Machine = m };
        o.Traces[0] = TestUtil.Trace(1, 60);
        // The one buffer replaced by an address below the buffers, as microcode freeing the wrong register would.
        o.Setup = chip =>
        {
            var freeList = chip.Ring(MemorySpace.Sram, 0)!;
            Assert.True(freeList.Get(new uint[1], 0));
            Assert.True(freeList.Put([0x40u], 0));
        };
        var e = Assert.Throws<EmulatorException>(() => EmulatorRun.Run(o));
        Assert.Equal("buffer free list entry 0x40 is not inside a packet buffer", e.Message);
    }

    [Theory]
    [InlineData(128, 1)]
    [InlineData(0, 0)]
    public void FrameLongerThanTheBufferAfterTheHeadroomIsDroppedTooLong(int headroom, int tooLong)
    {
        // 2048-byte buffers: 1920 bytes fit after 128 bytes of headroom, 1921 do not.
        var m = MachineDescription.Default();
        m.Buffers.HeadroomBytes = headroom;
        var o = new EmulatorOptions { Machine = m, DrainIdleCycles = 10_000 };
        o.Traces[0] = TestUtil.Trace(1, 1920);
        o.Traces[1] = TestUtil.Trace(1, 1921);
        var s = EmulatorRun.Run(o);
        Assert.Equal(2 - tooLong, s.RxPackets);
        Assert.Equal(tooLong, s.Dropped);
        if (tooLong > 0) Assert.Contains("\"too_long\": 1", s.StatsJson);
    }
}
