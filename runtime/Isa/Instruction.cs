namespace Baker.Runtime.Isa;

/// <summary>
/// One decoded microengine instruction, as the assembler produces it and the image stores it.
/// Field use per opcode is listed in <see cref="InstructionSet"/> and runtime/docs/me-isa.md.
/// </summary>
public readonly record struct Instruction
{
    public Opcode Op { get; init; }
    /// <summary>Sub-operation: <see cref="AluOp"/>, <see cref="Cond"/>, <see cref="MemCmd"/>, <see cref="StateCond"/>, <see cref="CrcKind"/> or the ld_field byte mask.</summary>
    public byte Sub { get; init; }
    public Operand Dst { get; init; }
    public Operand A { get; init; }
    public Operand B { get; init; }
    /// <summary>Immediate: value, count, bit, lsb, CSR number, CAM state, or packed shift (kind &lt;&lt; 8 | amount).</summary>
    public int Imm { get; init; }
    /// <summary>Second immediate: field width of extract/insert.</summary>
    public int Imm2 { get; init; }
    /// <summary>Branch target (instruction index), -1 when none.</summary>
    public int Target { get; init; }
    /// <summary>ctx_arb: bit s set = wait for signal s.</summary>
    public ushort SigMask { get; init; }
    /// <summary>Completion signal of a memory/hash reference (1..15), 0 = none.</summary>
    public byte Signal { get; init; }
    public byte Defer { get; init; }
    public InstrFlags Flags { get; init; }

    public Instruction() { Target = -1; }

    public static int PackShift(ShiftKind kind, int amount) => ((int)kind << 8) | (amount & 31);
    public ShiftKind ShiftKind => (ShiftKind)((Imm >> 8) & 0xff);
    public int ShiftAmount => Imm & 31;

    public AluOp AluOp => (AluOp)Sub;
    public Cond Cond => (Cond)Sub;
    public MemCmd MemCmd => (MemCmd)Sub;

    /// <summary>True for instructions that may change the flow of control; these may not sit in a defer slot.</summary>
    public bool IsControlTransfer => Op is Opcode.Br or Opcode.BrBset or Opcode.BrBclr or Opcode.BrCtx or Opcode.BrState
        or Opcode.BrNState or Opcode.Bal or Opcode.Rtn or Opcode.CtxArb or Opcode.Halt
        || (Op is Opcode.Scratch or Opcode.Sram or Opcode.Dram or Opcode.Hash && (Flags & InstrFlags.CtxSwap) != 0);
}
