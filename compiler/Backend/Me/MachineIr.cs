using System.Globalization;
using System.Text;

namespace Baker.Compiler.Backend.Me;

// The machine IR of the microengine back end: ME instructions over virtual registers, in blocks.
// Instruction selection produces it, bank assignment and register allocation rewrite its registers,
// and MeAsmWriter prints it as .uasm text for the runtime's assembler (which checks the A/B bank rule
// again: an oracle we did not write for this back end).

public enum Bank : byte { Any, A, B }

/// <summary>A virtual 32-bit register. After allocation it has a physical register (<c>a3</c>) or a spill slot.</summary>
public sealed class VReg(int id)
{
    public int Id { get; } = id;
    public Bank Bank { get; set; }
    /// <summary>Physical register name after allocation (<c>a0</c>..<c>b15</c>), or null when spilled.</summary>
    public string? Phys { get; set; }
    /// <summary>Local-memory word (from the frame base) when spilled there, else -1.</summary>
    public int SpillSlot { get; set; } = -1;
    /// <summary>Byte offset in the function's slot frame (SRAM) when spilled past the local-memory frame, else -1.</summary>
    public int SramSlot { get; set; } = -1;
    public bool Spilled => SpillSlot >= 0 || SramSlot >= 0;
    public override string ToString() => Phys ?? (SpillSlot >= 0 ? $"spill{SpillSlot}" : SramSlot >= 0 ? $"sramspill{SramSlot}" : $"%v{Id}");
}

public enum MOpKind : byte { Reg, Imm, Label, Text }

/// <summary>An operand of a machine instruction.</summary>
public readonly record struct MOp(MOpKind Kind, VReg? Reg, long Value, string? Text)
{
    public static MOp R(VReg r) => new(MOpKind.Reg, r, 0, null);
    public static MOp I(long v) => new(MOpKind.Imm, null, v, null);
    public static MOp L(string label) => new(MOpKind.Label, null, 0, label);
    /// <summary>Verbatim text: <c>--</c>, an ALU operator, a shift, a physical or transfer register, a CSR name.</summary>
    public static MOp T(string text) => new(MOpKind.Text, null, 0, text);
    public static readonly MOp None = T("--");

    public override string ToString() => Kind switch
    {
        MOpKind.Reg => Reg!.ToString(),
        MOpKind.Imm => Value < 0 ? "0x" + ((uint)Value).ToString("x", CultureInfo.InvariantCulture) : Value > 9 ? "0x" + Value.ToString("x", CultureInfo.InvariantCulture) : Value.ToString(CultureInfo.InvariantCulture),
        _ => Text!,
    };
}

/// <summary>
/// One ME instruction: <c>mnemonic[op, op, ...]</c> plus an optional suffix (<c>ctx_swap[s]</c>, <c>defer[n]</c>).
/// <see cref="Defs"/> and <see cref="Uses"/> index the register operands written and read;
/// <see cref="TwoPorts"/> lists the pair of operand indexes read in one cycle, which must come from
/// different register banks (the A/B rule).
/// </summary>
public sealed class MInstr(string mnemonic, MOp[] ops, int[] defs, int[] uses)
{
    public string Mnemonic { get; } = mnemonic;
    public MOp[] Ops { get; } = ops;
    public int[] Defs { get; } = defs;
    public int[] Uses { get; } = uses;
    public (int, int)? TwoPorts { get; init; }
    public string? Suffix { get; init; }
    /// <summary>A branch target when the instruction may transfer control (for liveness).</summary>
    public string? Target { get; init; }
    /// <summary>Control never falls through (unconditional branch, return, halt).</summary>
    public bool EndsFlow { get; init; }
    /// <summary>A call: a value live across it may not sit in a register the callee writes (RegisterAllocation).</summary>
    public bool IsCall { get; init; }
    public IR.IrFunction? Callee { get; init; }
    public bool IsReturn { get; init; }

    public IEnumerable<VReg> DefRegs => Defs.Select(i => Ops[i].Reg!).Where(r => r is not null);
    public IEnumerable<VReg> UseRegs => Uses.Select(i => Ops[i].Reg!).Where(r => r is not null);

    public override string ToString()
    {
        var sb = new StringBuilder(Mnemonic);
        if (Ops.Length > 0) sb.Append('[').Append(string.Join(", ", Ops)).Append(']');
        if (Suffix is not null) sb.Append(", ").Append(Suffix);
        return sb.ToString();
    }
}

public sealed class MBlock(string label)
{
    public string Label { get; } = label;
    public List<MInstr> Instrs { get; } = [];
}

/// <summary>A function in machine IR: its blocks in layout order, its registers and its frame.</summary>
public sealed class MFunction(string name, string label, string scope = "")
{
    public string Name { get; } = name;
    /// <summary>The assembly label of the entry.</summary>
    public string Label { get; } = label;
    /// <summary>
    /// What this program's assembler constants (<c>FRAME_...</c>, <c>SLOTS_...</c>) start with after their prefix.
    /// Labels are local to an ME's section of the image but <c>.equ</c> names are not, and a helper's frames lie
    /// at other offsets on another ME: each ME's program names its constants apart (ProgramBuilder).
    /// </summary>
    public string Scope { get; } = scope;
    public List<MBlock> Blocks { get; } = [];
    public List<VReg> Regs { get; } = [];
    /// <summary>The register holding the return address when the function makes calls (a14 is each call's link), else null.</summary>
    public VReg? ReturnAddress { get; set; }
    /// <summary>Words of local memory this function's frame needs (its spills, the return address among them), at most
    /// <see cref="RegisterAllocation.LmFrameWords"/>; set by allocation.</summary>
    public int FrameWords { get; set; }
    /// <summary>Word offset of the frame inside the context's local-memory stack; set by frame layout.</summary>
    public int FrameOffset { get; set; }
    /// <summary>
    /// Bytes of the slot frame, in the context's SRAM slot stack: the arguments past the eighth word (the caller
    /// writes them at its start), the local aggregates (zeroed on entry), then the spills that did not fit the
    /// local-memory frame. Set by instruction selection, grown by register allocation; a multiple of 8.
    /// </summary>
    public int SlotBytes { get; set; }
    /// <summary>Argument words that arrive in the slot frame rather than in registers (past the eighth); set by instruction selection.</summary>
    public int StackArgWords { get; set; }
    /// <summary>Byte offset of the slot frame in the context's slot stack; set by frame layout.</summary>
    public int SlotOffset { get; set; }
    public bool MakesCalls => Blocks.Any(b => b.Instrs.Any(i => i.IsCall));
    /// <summary>Registers spilled (to either frame), and moves inserted for the A/B bank rule (build report).</summary>
    public int Spills { get; set; }
    /// <summary>Of <see cref="Spills"/>, those spilled to the slot frame in SRAM.</summary>
    public int SramSpills { get; set; }
    public int BankMoves { get; set; }

    public VReg NewReg()
    {
        var r = new VReg(Regs.Count);
        Regs.Add(r);
        return r;
    }
}
