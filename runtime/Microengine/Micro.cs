using Baker.Runtime.Isa;

namespace Baker.Runtime.Microengine;

/// <summary>
/// An instruction pre-decoded for execution: operand kinds reduced to a few cases and register numbers
/// turned into indexes of the ME's flat register file, so the interpreter does no lookups per instruction.
/// </summary>
internal struct Micro
{
    public Opcode Op;
    public byte Sub;
    public byte Defer;
    public InstrFlags Flags;
    public byte SK_A, SK_B, DK;
    /// <summary>Touches state other agents see (memory, rings, NN registers): must run in global time order.</summary>
    public bool Shared;
    public int AV, BV, DV;
    public int Imm, Imm2, Target;
    public ushort SigMask;
    public byte Signal;
    /// <summary>Transfer register number (0..15) of a memory or hash reference.</summary>
    public int Xfer;
}

/// <summary>Source operand kinds of <see cref="Micro"/>.</summary>
internal static class SK
{
    public const byte None = 0, Rel = 1, Abs = 2, Imm = 3, NnPop = 4, Lm0 = 5, Lm1 = 6, NnOwn = 7, Xfer = 8;
}

/// <summary>Destination operand kinds of <see cref="Micro"/>.</summary>
internal static class DK
{
    public const byte None = 0, Rel = 1, Abs = 2, NnNext = 3, NnPush = 4, Lm0 = 5, Lm1 = 6, Xfer = 7;
}

/// <summary>Layout of the flat register file of one ME (32-bit words).</summary>
internal static class RegFile
{
    public const int GprA = 0, GprB = 128, XferIn = 256, XferOut = 384, DXferIn = 512, DXferOut = 640, Nn = 768, Size = 896;

    public static Micro Decode(Instruction i)
    {
        var m = new Micro
        {
            Op = i.Op, Sub = i.Sub, Defer = i.Defer, Flags = i.Flags, Imm = i.Imm, Imm2 = i.Imm2, Target = i.Target,
            SigMask = i.SigMask, Signal = i.Signal,
        };
        (m.SK_A, m.AV) = Src(i.A);
        (m.SK_B, m.BV) = Src(i.B);
        (m.DK, m.DV) = Dst(i.Dst);
        if (i.Op is Opcode.Scratch or Opcode.Sram or Opcode.Dram or Opcode.Hash)
        {
            m.Xfer = i.Dst.IsNone ? 0 : i.Dst.Value;
            m.DK = DK.None;
            m.Shared = true;
        }
        if (i.Op is Opcode.BrState or Opcode.BrNState) m.Shared = true;
        if (i.Op is Opcode.LocalCsrRd or Opcode.LocalCsrWr && i.Imm is (int)LocalCsr.NnPut or (int)LocalCsr.NnGet or (int)LocalCsr.NnWait) m.Shared = true;
        if (m.SK_A is SK.NnPop or SK.NnOwn || m.SK_B is SK.NnPop or SK.NnOwn || m.DK is DK.NnNext or DK.NnPush) m.Shared = true;
        return m;
    }

    private static (byte, int) Src(Operand o) => o.Kind switch
    {
        OperandKind.None => (SK.None, 0),
        OperandKind.GprA => (SK.Rel, GprA + o.Value),
        OperandKind.GprB => (SK.Rel, GprB + o.Value),
        OperandKind.AbsA => (SK.Abs, GprA + o.Value),
        OperandKind.AbsB => (SK.Abs, GprB + o.Value),
        OperandKind.Xfer => (SK.Xfer, XferIn + o.Value),
        OperandKind.DXfer => (SK.Xfer, DXferIn + o.Value),
        OperandKind.Nn => (SK.NnOwn, Nn + o.Value),
        OperandKind.NnRing => (SK.NnPop, 0),
        OperandKind.Lm0 => (SK.Lm0, o.Value),
        OperandKind.Lm1 => (SK.Lm1, o.Value),
        _ => (SK.Imm, o.Value),
    };

    private static (byte, int) Dst(Operand o) => o.Kind switch
    {
        OperandKind.None or OperandKind.Imm => (DK.None, 0),
        OperandKind.GprA => (DK.Rel, GprA + o.Value),
        OperandKind.GprB => (DK.Rel, GprB + o.Value),
        OperandKind.AbsA => (DK.Abs, GprA + o.Value),
        OperandKind.AbsB => (DK.Abs, GprB + o.Value),
        OperandKind.Xfer => (DK.Xfer, XferOut + o.Value),
        OperandKind.DXfer => (DK.Xfer, DXferOut + o.Value),
        OperandKind.Nn => (DK.NnNext, Nn + o.Value),
        OperandKind.NnRing => (DK.NnPush, 0),
        OperandKind.Lm0 => (DK.Lm0, o.Value),
        _ => (DK.Lm1, o.Value),
    };
}
