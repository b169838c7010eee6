namespace Baker.Runtime.Isa;

/// <summary>Microengine operations. The numeric values are the image encoding: never renumber, only append.</summary>
public enum Opcode : byte
{
    Nop = 0,
    Alu = 1,
    AluShf = 2,
    Immed = 3,
    LdField = 4,
    LdFieldWClr = 5,
    Extract = 6,
    Insert = 7,
    Ffs = 8,
    Br = 9,
    BrBset = 10,
    BrBclr = 11,
    BrCtx = 12,
    BrState = 13,
    BrNState = 14,
    Bal = 15,
    Rtn = 16,
    CtxArb = 17,
    Scratch = 18,
    Sram = 19,
    Dram = 20,
    Hash = 21,
    CamLookup = 22,
    CamWrite = 23,
    CamReadTag = 24,
    CamClear = 25,
    Crc = 26,
    LocalCsrRd = 27,
    LocalCsrWr = 28,
    Halt = 29,
}

/// <summary>ALU operations of <c>alu</c> and <c>alu_shf</c>; the shifter acts on operand B first.</summary>
public enum AluOp : byte
{
    Add = 0,      // A + B
    AddCarry = 1, // A + B + C
    Sub = 2,      // A - B; C = 1 when no borrow (A >= B unsigned)
    SubCarry = 3, // A - B - !C
    B = 4,        // B
    NotB = 5,     // ~B
    And = 6,      // A & B
    AndNotB = 7,  // A & ~B
    Or = 8,       // A | B
    Xor = 9,      // A ^ B
}

public enum ShiftKind : byte { None = 0, Left = 1, Right = 2, ArithRight = 3, RotLeft = 4, RotRight = 5 }

/// <summary>Branch conditions over the Z, N, C, V flags left by the last flag-setting instruction.</summary>
public enum Cond : byte
{
    Always = 0, Eq, Ne, Mi, Pl, Cs, Cc, Vs, Vc, Hi, Ls, Ge, Lt, Gt, Le, Hs, Lo,
}

/// <summary>States tested by <c>br_state</c>/<c>br_nstate</c>.</summary>
public enum StateCond : byte { NnEmpty = 0, NnFull = 1 }

/// <summary>Memory unit commands (<c>scratch</c>, <c>sram</c>, <c>dram</c>).</summary>
public enum MemCmd : byte
{
    Read = 0, Write, Add, Sub, Incr, Decr, Swap, TestAndSet, TestAndClr, Set, Clr, TestAndAdd, Put, Get, Wait,
}

public enum CrcKind : byte { Crc32 = 0, CrcCcitt = 1 }

/// <summary>Local control and status registers of a microengine.</summary>
public enum LocalCsr : byte
{
    ActiveLmAddr0 = 0,
    ActiveLmAddr1 = 1,
    ActiveCtxSts = 2,
    TimestampLow = 3,
    TimestampHigh = 4,
    CrcRemainder = 5,
    SameMeSignal = 6,
    NnPut = 7,
    NnGet = 8,
    Mailbox0 = 9,
    Mailbox1 = 10,
    Mailbox2 = 11,
    Mailbox3 = 12,
    MeNumber = 13,
    NnWait = 14,
}

[Flags]
public enum InstrFlags : byte
{
    None = 0,
    /// <summary>Memory reference: swap out until the signal arrives (<c>ctx_swap[s]</c>) rather than only <c>sig_done[s]</c>.</summary>
    CtxSwap = 1,
    /// <summary><c>ctx_arb[voluntary]</c>: yield to the other ready contexts.</summary>
    Voluntary = 2,
    /// <summary><c>ctx_arb[kill]</c>: the context stops for good.</summary>
    Kill = 4,
}
