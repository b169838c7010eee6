using Baker.Compiler.Backend.Me;
using Baker.Compiler.IR;
using Baker.Runtime.Isa;
using Baker.Tests.Infrastructure;

namespace Baker.Tests.Backend;

/// <summary>
/// IR in, ME assembly out: each tests/backend/asm/NAME.ir compiles to the text in NAME.uasm (a snapshot:
/// BAKER_BLESS=1 rewrites it). The text must also assemble, in a program with the runtime library: the
/// runtime's assembler checks the A/B bank rule and every operand on its own. Where the semantics matter, MeOpTests runs the code.
/// </summary>
public class MeAsmTests
{
    private static readonly string Dir = Repo.Path("tests", "backend", "asm");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Dir, "*.ir").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void CompilesToTheExpectedAssembly(string name)
    {
        var module = IrParser.Parse(File.ReadAllText(Path.Combine(Dir, name)), name);
        var (code, diags) = MeBackend.Compile(module.Functions);
        Assert.True(code is not null, string.Join("\n", diags));
        // Assembled inside a program that provides what the code may refer to: the memory map's constants, the fault
        // labels and the runtime library with the routines generated per program (now(), trace).
        var machine = Baker.Runtime.Machine.MachineDescription.Default();
        var map = new MemoryMap(module.Objects, code.SlotStackBytes);
        var text = code.Constants + map.Declarations(module, machine) + ".me 0\n    halt\n"
            + string.Concat(ProgramBuilder.DropReasons.Select(r => $"__fault_{r}:\n")) + "    halt\n"
            + MemoryMap.RuntimeLibrary + (Clock.Called(code) ? Clock.Routine(machine, map.ClockEpoch) : "")
            + (TraceLog.Called(code) ? TraceLog.RoutineText : "") + code.Code;
        var asm = Assembler.Assemble(text, name);
        Assert.True(asm.Success, string.Join("\n", asm.Diagnostics) + "\n" + text);
        Snapshot.Match(Path.Combine(Dir, Path.ChangeExtension(name, ".uasm")), code.Constants + code.Code);
    }

    [Fact]
    public void TheCasesShowWhatTheyClaim()
    {
        Compile("bank_rule.ir", out var bank);
        Assert.Equal(1, bank.Single(f => f.Name == "twice").BankMoves);
        Assert.True(bank.Single(f => f.Name == "triangle").BankMoves >= 1);
        Compile("spill.ir", out var spill);
        Assert.True(spill[0].Spills > 0);
        Assert.DoesNotContain(Text(spill[0]), l => l.StartsWith("ld_field_w_clr", StringComparison.Ordinal));
        Assert.Contains(Text(spill[0]), l => l.StartsWith("alu[*l$index0[", StringComparison.Ordinal));
        Compile("frames.ir", out var frames);
        var outer = frames.Single(f => f.Name == "outer");
        var middle = frames.Single(f => f.Name == "middle");
        var leaf = frames.Single(f => f.Name == "leaf");
        Assert.Equal(0, outer.FrameOffset);
        Assert.Equal(outer.FrameWords, middle.FrameOffset);
        Assert.Equal(0, leaf.FrameWords);
        Assert.Equal(3, outer.FrameWords);
        Assert.Equal(1, middle.FrameWords);

        // Only what a call may write is spilled: %0 and the return address (live across @hungry), not %1 (live across @small only).
        Compile("call_clobbers.ir", out var clobbers);
        Assert.Equal(2, clobbers.Single(f => f.Name == "caller").Spills);

        // 12 argument words: 4 past the registers, at the start of @sum12's slot frame; the caller writes them in one reference.
        Compile("stack_args.ir", out var stack);
        var sum12 = stack.Single(f => f.Name == "sum12");
        Assert.Equal(4, sum12.StackArgWords);
        Assert.Equal(16, sum12.SlotBytes);
        Assert.Single(Text(stack.Single(f => f.Name == "caller")), l => l.StartsWith("sram[write, $0, *l$index1[0], SLOTS_f_sum12+0, 4]", StringComparison.Ordinal));

        // A 30-word frame: 16 words in local memory (return address and 15 spills), 14 spills in SRAM, none in the loop.
        Compile("big_frame.ir", out var big);
        var bigF = big.Single(f => f.Name == "big");
        Assert.Equal(30, bigF.Spills);
        Assert.Equal(RegisterAllocation.LmFrameWords, bigF.FrameWords);
        Assert.Equal(14, bigF.SramSpills);
        Assert.Equal(56, bigF.SlotBytes);
        Assert.DoesNotContain(bigF.Blocks.Single(b => b.Label == "f_big_b1").Instrs, i => i.Mnemonic == "sram");
    }

    private static IEnumerable<string> Text(MFunction f) => f.Blocks.SelectMany(b => b.Instrs).Select(i => i.ToString());

    private static void Compile(string name, out IReadOnlyList<MFunction> functions)
    {
        var module = IrParser.Parse(File.ReadAllText(Path.Combine(Dir, name)), name);
        var (code, diags) = MeBackend.Compile(module.Functions);
        Assert.True(code is not null, string.Join("\n", diags));
        functions = code.Functions;
    }
}
