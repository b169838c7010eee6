using Baker.Runtime.Isa;
using Baker.Runtime.Machine;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>
/// A context that waits on an empty ring sleeps until a put (runtime/docs/me-isa.md, "wait"): the emulator skips
/// the idle time instead of running a polling loop through it, and the signal comes the ring memory's latency after the put.
/// </summary>
public class RingWaitTests
{
    // ME 0 context 0 waits on scratch ring 4, then takes the entry and records when it woke in a1.
    private const string Consumer = """
        .ring scratch 4 base=0x2000 size=16
        .me 0
        .ctx 0
        loop:
            scratch[get, $0, --, 4, 1], ctx_swap[1]
            alu[a0, --, B, $0]
            br_ne[got]
            scratch[wait, --, --, 4, 1], sig_done[2]
            ctx_arb[2]
            br[loop]
        got:
            local_csr_rd[a1, timestamp_low]
            halt
        """;

    // ME 1 context 0 spins on local instructions for about 3 × a1 cycles, then puts 7 on ring 4.
    private static string Producer(int loops) => $$"""
        .me 1
        .ctx 0
            immed[a1, {{loops}}]
        spin:
            alu[a1, a1, -, 1]
            br_ne[spin]
            immed[$0, 7]
            scratch[put, $0, --, 4, 1], ctx_swap[1]
            halt
        """;

    private static uint A(Chip chip, int me, int reg) => chip.Microengines[me].ReadRegister(0, new Operand(OperandKind.GprA, reg));

    [Fact]
    public void AWaitingContextSleepsUntilThePutAndTheEmulatorSkipsTheIdleTime()
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Consumer + "\n" + Producer(60_000)));
        chip.Run(10_000_000);
        var consumer = chip.Microengines[0];
        Assert.Equal(7u, A(chip, 0, 0));
        // The producer halts a swap after its put completes (one scratch latency); the consumer wakes one latency
        // after the put and its get takes another: it reads the clock just after the producer's halt, not at a poll boundary.
        var halt = chip.Microengines[1].Now;
        var latency = chip.Machine.Scratch.LatencyCycles;
        Assert.True(halt > 170_000, $"the producer halted at {halt}");
        Assert.InRange((long)A(chip, 0, 1), halt + latency - 20, halt + latency + 30);
        // Asleep, the consumer ran no instructions: a poll, a wait, the arbitration, then the second poll.
        Assert.True(consumer.Instructions < 12, $"the consumer executed {consumer.Instructions} instructions");
        Assert.True(consumer.IdleCycles > 170_000, $"idle {consumer.IdleCycles}");
        Assert.Equal(1, chip.Ring(Baker.Runtime.Memory.MemorySpace.Scratch, 4)!.Parks);
    }

    [Fact]
    public void AWaitOnARingThatHoldsAnEntrySignalsAtOnce()
    {
        // The consumer waits only after the producer's put: the wait completes like any reference instead of parking.
        const string late = """
            .ring scratch 4 base=0x2000 size=16
            .me 0
            .ctx 0
                immed[a1, 1000]
            spin:
                alu[a1, a1, -, 1]
                br_ne[spin]
                scratch[wait, --, --, 4, 1], sig_done[2]
                ctx_arb[2]
                scratch[get, $0, --, 4, 1], ctx_swap[1]
                alu[a0, --, B, $0]
                halt
            """;
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(late + "\n" + Producer(1)));
        chip.Run(10_000_000);
        Assert.Equal(7u, A(chip, 0, 0));
        Assert.Equal(0, chip.Ring(Baker.Runtime.Memory.MemorySpace.Scratch, 4)!.Parks);
    }

    [Fact]
    public void AnAsleepMeWithNothingToWaitForEndsTheRun()
    {
        // Nobody ever puts: the run ends at once, not at the cycle limit, and the ME is asleep, not halted.
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Consumer));
        var end = chip.Run(1_000_000_000);
        Assert.True(end < 1_000, $"the run ended at cycle {end}");
        Assert.True(chip.Microengines[0].Asleep);
        Assert.False(chip.Microengines[0].Halted);
    }
}
