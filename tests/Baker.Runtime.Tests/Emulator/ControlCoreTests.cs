using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>The control core's data cache is not coherent with ME writes: the checker reports stale reads.</summary>
public class ControlCoreTests
{
    // ME 0 waits until cycle 1000, then writes 0xbeef to SRAM 0x5000 and reads 0x6000 into mailbox0 at cycle 3000.
    private const string Writer = """
        .me 0
        .ctx 0
            immed[a1, 0x5000]
        w1: local_csr_rd[a0, timestamp_low]
            alu[--, a0, -, 1000]
            br_lo[w1]
            immed[$0, 0xbeef]
            sram[write, $0, a1, 0, 1], ctx_swap[1]
        w2: local_csr_rd[a0, timestamp_low]
            alu[--, a0, -, 3000]
            br_lo[w2]
            immed[a2, 0x6000]
            sram[read, $1, a2, 0, 1], ctx_swap[2]
            alu[b0, --, B, $1]
            local_csr_wr[mailbox0, b0]
            halt
        """;

    private static (Chip chip, uint seen) Run(bool invalidate, bool clean)
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Writer));
        uint seen = 0;
        chip.ControlCore.Schedule(10, c =>
        {
            c.Read32(MemorySpace.Sram, 0x5000);             // the line is now cached (value 0)
            c.Write32(MemorySpace.Sram, 0x6000, 0x1234);    // dirty in the cache only
            if (clean) c.Clean(MemorySpace.Sram, 0x6000, 4);
        });
        chip.ControlCore.Schedule(2000, c =>
        {
            if (invalidate) c.Invalidate(MemorySpace.Sram, 0x5000, 4);
            seen = c.Read32(MemorySpace.Sram, 0x5000);
        });
        chip.Run(100_000);
        return (chip, seen);
    }

    [Fact]
    public void ReadAfterAnMeWriteWithoutInvalidateIsReported()
    {
        var (chip, seen) = Run(invalidate: false, clean: false);
        Assert.Equal(0u, seen);
        var stale = Assert.Single(chip.ControlCore.StaleReads);
        Assert.Equal(0x5000u, stale.Address);
        Assert.Equal(0u, stale.CachedValue);
        Assert.Equal(0xbeefu, stale.MemoryValue);
        Assert.Contains("read stale data at sram 0x5000", stale.ToString());
        // Without a clean the ME does not see the core's write either.
        Assert.Equal(0u, chip.Microengines[0].Mailbox(0));
    }

    [Fact]
    public void WithInvalidateAndCleanEveryoneSeesFreshData()
    {
        var (chip, seen) = Run(invalidate: true, clean: true);
        Assert.Equal(0xbeefu, seen);
        Assert.Empty(chip.ControlCore.StaleReads);
        Assert.Equal(0x1234u, chip.Microengines[0].Mailbox(0));
        Assert.Contains("\"staleReads\": []", Statistics.ToJson(chip));
    }

    [Fact]
    public void TasksLeftWhenTheChipStopsRunInOrderAtTheirTimes()
    {
        var chip = new Chip(MachineDescription.Default());
        var ran = new List<(string, long)>();
        chip.ControlCore.Schedule(5_000_000, c => ran.Add(("late", c.Now)));
        chip.ControlCore.Schedule(100, c =>
        {
            ran.Add(("early", c.Now));
            c.Schedule(9_000_000, d => ran.Add(("later", d.Now)));
        });
        chip.Run(1000);
        Assert.Equal([("early", 100L)], ran);
        chip.ControlCore.RunRemaining();
        Assert.Equal([("early", 100L), ("late", 5_000_000L), ("later", 9_000_000L)], ran);
        Assert.Equal(3, chip.ControlCore.TasksRun);
    }

    [Fact]
    public void RunRemainingUntilACycleLeavesTheLaterTasksQueued()
    {
        var chip = new Chip(MachineDescription.Default());
        var ran = new List<long>();
        foreach (var t in new long[] { 300, 100, 200 }) chip.ControlCore.Schedule(t, c => ran.Add(c.Now));
        chip.ControlCore.RunRemaining(200);
        Assert.Equal([100L, 200L], ran);
        chip.ControlCore.RunRemaining();
        Assert.Equal([100L, 200L, 300L], ran);
    }

    // Eight contexts of ME 0 each add 1 to SRAM 0x7000 a hundred times (sram[incr]), interleaved with the core's adds.
    private const string Incrementer = """
        .me 0
            immed[a0, 100]
            immed[a1, 0x7000]
        loop:
            sram[incr, --, a1, 0, 1], ctx_swap[1]
            alu[a0, a0, -, 1]
            br_ne[loop]
            ctx_arb[kill]
        """;

    [Fact]
    public void AtomicAddIsAtomicWithTheMesAndBypassesTheCache()
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Incrementer));
        var olds = new List<uint>();
        long cost = -1;
        chip.ControlCore.Schedule(0, c => c.Read32(MemorySpace.Sram, 0x7000));   // the line is cached (0)
        for (var k = 1; k <= 10; k++)
            chip.ControlCore.Schedule(k * 1000, c =>
            {
                var before = c.CoreCycles;
                olds.Add(c.AtomicAdd(MemorySpace.Sram, 0x7000, 1000));
                cost = c.CoreCycles - before;
            });
        chip.ControlCore.Schedule(200_000, c => c.Read32(MemorySpace.Sram, 0x7000));
        chip.Run(1_000_000);
        // Nothing lost on either side: 8 × 100 increments and 10 adds of 1000.
        Assert.Equal(800u + 10 * 1000, chip.ReadWord(MemorySpace.Sram, 0x7000));
        Assert.Equal(10, olds.Count);
        Assert.True(olds.Zip(olds.Skip(1)).All(p => p.Second >= p.First + 1000), "the old values the core saw went backwards");
        Assert.Equal(chip.Machine.ControlCore.SramAccessCycles, cost);
        // The cached copy was not updated: reading it without an invalidate is stale, and the checker says so.
        var stale = Assert.Single(chip.ControlCore.StaleReads);
        Assert.Equal(0x7000u, stale.Address);
        Assert.Equal(0u, stale.CachedValue);
        Assert.Throws<EmulatorException>(() => chip.ControlCore.AtomicAdd(MemorySpace.Dram, 0x1000, 1));
    }

    [Fact]
    public void CleanAndInvalidateCostCyclesPerLine()
    {
        var chip = new Chip(MachineDescription.Default());
        long before = 0, after = 0;
        chip.ControlCore.Schedule(0, c =>
        {
            before = c.CoreCycles;
            c.Invalidate(MemorySpace.Dram, 0x1000, 32 * 10);    // 10 lines x 2
            c.Clean(MemorySpace.Dram, 0x1000, 32 * 10 + 1);     // 11 lines x 10
            after = c.CoreCycles;
        });
        chip.Run(1000);
        Assert.Equal(10 * 2 + 11 * 10, after - before);
    }
}
