using Baker.Runtime.Isa;
using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Tests.Emulator;

/// <summary>
/// A context parks on its ME's NN ring by writing the local CSR <c>nn_wait</c> (runtime/docs/me-isa.md): the next push
/// by the previous ME signals it, and the emulator skips the idle time in between as for <c>scratch[wait]</c>.
/// </summary>
public class NnWaitTests
{
    // ME 1 context 0 parks on its NN ring, then pops the entry and records when it woke in a1.
    private const string Consumer = """
        .me 1
        .ctx 0
        loop:
            br_nstate[nn_empty, got]
            local_csr_wr[nn_wait, 2]
            ctx_arb[2]
            br[loop]
        got:
            alu[a0, --, B, *n$index++]
            local_csr_rd[a1, timestamp_low]
            halt
        """;

    // ME 0 context 0 spins on local instructions for about 3 × loops cycles, then pushes 7 onto ME 1's NN ring.
    private static string Producer(int loops) => $$"""
        .me 0
        .ctx 0
            immed[a1, {{loops}}]
        spin:
            alu[a1, a1, -, 1]
            br_ne[spin]
            alu[*n$index++, --, B, 7]
            halt
        """;

    private static uint A(Chip chip, int me, int reg) => chip.Microengines[me].ReadRegister(0, new Operand(OperandKind.GprA, reg));

    [Fact]
    public void AContextParkedOnTheNnRingSleepsUntilThePush()
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Consumer + "\n" + Producer(60_000)));
        chip.Run(10_000_000);
        var consumer = chip.Microengines[1];
        Assert.Equal(7u, A(chip, 1, 0));
        // The consumer wakes at the push (a swap and a few instructions later it reads the clock), not at a poll boundary.
        var halt = chip.Microengines[0].Now;
        Assert.True(halt > 170_000, $"the producer halted at {halt}");
        Assert.InRange((long)A(chip, 1, 1), halt - 5, halt + 20);
        // Asleep, the consumer ran no instructions: a test, the park, the arbitration, then the second test and the pop.
        Assert.True(consumer.Instructions < 12, $"the consumer executed {consumer.Instructions} instructions");
        Assert.True(consumer.IdleCycles > 170_000, $"idle {consumer.IdleCycles}");
        Assert.Equal(1, consumer.NnParks);
    }

    [Fact]
    public void AnNnWaitOnARingThatHoldsAnEntrySignalsAtOnce()
    {
        // The producer pushes first; the consumer spins past the push and its nn_wait does not park.
        const string late = """
            .me 1
            .ctx 0
                immed[a1, 1000]
            spin:
                alu[a1, a1, -, 1]
                br_ne[spin]
                local_csr_wr[nn_wait, 3]
                ctx_arb[3]
                alu[a0, --, B, *n$index++]
                halt
            """;
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(late + "\n" + Producer(10)));
        chip.Run(1_000_000);
        Assert.Equal(7u, A(chip, 1, 0));
        Assert.Equal(0, chip.Microengines[1].NnParks);
    }

    [Fact]
    public void AnNnWaitWithoutASignalStopsTheRun()
    {
        const string bad = """
            .me 0
            .ctx 0
                local_csr_wr[nn_wait, 0]
                halt
            """;
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(bad));
        var e = Assert.Throws<EmulatorException>(() => chip.Run(1000));
        Assert.Contains("nn_wait", e.Message);
    }
}
