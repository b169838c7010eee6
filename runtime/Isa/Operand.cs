namespace Baker.Runtime.Isa;

/// <summary>Where an operand lives. The numeric values are the image encoding.</summary>
public enum OperandKind : byte
{
    None = 0,
    /// <summary>Context-relative GPR in bank A: <c>a0</c>..<c>a15</c>.</summary>
    GprA = 1,
    GprB = 2,
    /// <summary>Absolute GPR in bank A: <c>@a0</c>..<c>@a127</c>.</summary>
    AbsA = 3,
    AbsB = 4,
    /// <summary>Context-relative SRAM/scratch transfer register <c>$0</c>..<c>$15</c>: read = transfer-in, write = transfer-out.</summary>
    Xfer = 5,
    /// <summary>Context-relative DRAM transfer register <c>$$0</c>..<c>$$15</c>.</summary>
    DXfer = 6,
    /// <summary>Next-neighbor register <c>n0</c>..<c>n127</c>: read = own, write = next ME's.</summary>
    Nn = 7,
    /// <summary><c>*n$index++</c>: read pops this ME's NN ring, write pushes onto the next ME's.</summary>
    NnRing = 8,
    /// <summary>Local memory through index register 0 (<see cref="Operand.Value"/> packs offset and mode).</summary>
    Lm0 = 9,
    Lm1 = 10,
    Imm = 11,
}

/// <summary>Local-memory addressing mode carried in bits 8..9 of an LM operand's value.</summary>
public enum LmMode : byte { Offset = 0, PostInc = 1, PostDec = 2 }

/// <summary>One instruction operand: a register, local memory slot or immediate.</summary>
public readonly record struct Operand(OperandKind Kind, int Value)
{
    public static readonly Operand None = new(OperandKind.None, 0);

    public static Operand Imm(int v) => new(OperandKind.Imm, v);

    public bool IsNone => Kind == OperandKind.None;

    public bool IsGpr => Kind is OperandKind.GprA or OperandKind.GprB or OperandKind.AbsA or OperandKind.AbsB;

    public int LmOffset => Value & 0xff;

    public LmMode LmMode => (LmMode)((Value >> 8) & 3);

    public static Operand Lm(int index, int offset, LmMode mode) =>
        new(index == 0 ? OperandKind.Lm0 : OperandKind.Lm1, (offset & 0xff) | ((int)mode << 8));

    /// <summary>The read-port class used by the A/B bank rule: two sources of one class cannot be read in one cycle.</summary>
    public BankClass Bank => Kind switch
    {
        OperandKind.GprA or OperandKind.AbsA => BankClass.A,
        OperandKind.GprB or OperandKind.AbsB => BankClass.B,
        OperandKind.Xfer or OperandKind.DXfer => BankClass.Transfer,
        OperandKind.Nn or OperandKind.NnRing => BankClass.NextNeighbor,
        OperandKind.Lm0 or OperandKind.Lm1 => BankClass.LocalMemory,
        OperandKind.Imm => BankClass.Immediate,
        _ => BankClass.None,
    };

    public override string ToString() => Kind switch
    {
        OperandKind.None => "--",
        OperandKind.GprA => "a" + Value,
        OperandKind.GprB => "b" + Value,
        OperandKind.AbsA => "@a" + Value,
        OperandKind.AbsB => "@b" + Value,
        OperandKind.Xfer => "$" + Value,
        OperandKind.DXfer => "$$" + Value,
        OperandKind.Nn => "n" + Value,
        OperandKind.NnRing => "*n$index++",
        OperandKind.Lm0 or OperandKind.Lm1 => LmText(),
        OperandKind.Imm => AsmFormat.Number(Value),
        _ => "?",
    };

    private string LmText()
    {
        var baseText = Kind == OperandKind.Lm0 ? "*l$index0" : "*l$index1";
        return LmMode switch
        {
            LmMode.PostInc => baseText + "++",
            LmMode.PostDec => baseText + "--",
            _ => LmOffset == 0 ? baseText : baseText + "[" + LmOffset + "]",
        };
    }
}

public enum BankClass : byte { None, A, B, Transfer, NextNeighbor, LocalMemory, Immediate }

internal static class AsmFormat
{
    /// <summary>Small values print in decimal, others in hex, so disassembly stays readable and round-trips.</summary>
    public static string Number(int v) =>
        v >= -4096 && v <= 4096 ? v.ToString(System.Globalization.CultureInfo.InvariantCulture)
                                : "0x" + ((uint)v).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
