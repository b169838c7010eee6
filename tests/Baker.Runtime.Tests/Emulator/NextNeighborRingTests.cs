using Baker.Runtime.Machine;
using Baker.Runtime.Memory;

namespace Baker.Runtime.Tests.Emulator;

public class NextNeighborRingTests
{
    private const string Producer = """
        .me 0
        .ctx 0
        loop:
            br_state[nn_full, full]
            alu[*n$index++, --, B, a0]
            alu[a0, a0, +, 1]
            br[loop]
        full:
            halt
        """;

    [Fact]
    public void ProducerThatTestsFullnessStopsAtTheRingSize()
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Producer));
        chip.Run(1_000_000);
        // ME 1 never pops: the producer filled exactly nnRingSize entries, then saw nn_full.
        Assert.Equal((uint)chip.Machine.Microengines.NnRingSize, chip.Microengines[0].ReadRegister(0, new Baker.Runtime.Isa.Operand(Baker.Runtime.Isa.OperandKind.GprA, 0)));
    }

    [Fact]
    public void PushingOntoAFullRingFaults()
    {
        var chip = new Chip(MachineDescription.Default());
        chip.Load(TestUtil.Asm(Producer.Replace("br_state[nn_full, full]", "nop")));
        var e = Assert.Throws<EmulatorException>(() => chip.Run(1_000_000));
        Assert.Contains("full next-neighbor ring", e.Message);
    }
}
