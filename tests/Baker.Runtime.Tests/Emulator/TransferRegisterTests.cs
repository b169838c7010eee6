using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>
/// Transfer registers belong to a memory reference until it completes: a read fills them at completion and
/// a write takes its data from them until then. Touching one earlier is a bug the chip would not report
/// (stale or torn data); the emulator faults with the register and both cycles.
/// </summary>
public class TransferRegisterTests
{
    private static EmulatorException Run(string body)
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(".me 0\n.ctx 0\n" + body + "\n    halt\n"));
        return Assert.Throws<EmulatorException>(() => chip.Run(1_000_000));
    }

    private static void RunsClean(string body)
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(".me 0\n.ctx 0\n" + body + "\n    halt\n"));
        chip.Run(1_000_000);
        Assert.True(chip.Microengines[0].Halted);
    }

    [Fact]
    public void ReadingBeforeTheSignalFaults()
    {
        var e = Run("""
                immed[a0, 0x100]
                sram[read, $2, a0, 0, 1], sig_done[sig1]
                alu[a1, --, B, $2]
            """);
        Assert.Contains("reads $2 at cycle 2 before the reference filling it completes at cycle 91", e.Message);
    }

    [Fact]
    public void DramTransferRegistersAreCheckedToo()
    {
        var e = Run("""
                immed[a0, 0x100]
                dram[read, $$0, a0, 0, 2], sig_done[sig1]
                alu[a1, --, B, $$3]
            """);
        Assert.Contains("reads $$3", e.Message);
    }

    [Fact]
    public void OverwritingDataBeingWrittenFaults()
    {
        var e = Run("""
                immed[a0, 0x100]
                immed[$0, 7]
                scratch[write, $0, a0, 0, 1], sig_done[sig1]
                immed[$0, 8]
            """);
        Assert.Contains("writes $0 at cycle 3 while the reference sending it is in flight until cycle 62", e.Message);
    }

    [Fact]
    public void AfterTheSignalAndOnOtherRegistersAllIsWell()
    {
        RunsClean("""
                immed[a0, 0x100]
                immed[$0, 7]
                scratch[write, $0, a0, 0, 1], sig_done[sig1]
                immed[$1, 9]
                sram[read, $4, a0, 0, 2], sig_done[sig2]
                alu[a1, --, B, $3]
                ctx_arb[sig1, sig2]
                immed[$0, 8]
                alu[a2, --, B, $5]
            """);
    }
}
