using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

/// <summary>
/// One IR instruction prepared for execution: every value operand is an index into the function's
/// register file (constants sit in registers of their own, filled once), block targets are code
/// indices, storage objects are addresses in the flat memory.
/// </summary>
internal struct Code
{
    public Op Op;
    /// <summary>The result type (arithmetic, loads, conversions) or the operand type (comparisons, stores).</summary>
    public IrType Type;
    /// <summary>From <see cref="Type"/>: whether it is signed, and 64 minus its width (for fast normalisation).</summary>
    public bool Signed;
    public byte Shift;
    public int D, A, B, C, E;
    /// <summary>Address of a named location (-1 when the location is a pointer register); jump targets; field or channel index.</summary>
    public int Aux, Aux2;
    public long Imm, Imm2;
    public object? Extra;
}

internal sealed class SwitchTable(Dictionary<ulong, (int Pc, int Block)> cases)
{
    public Dictionary<ulong, (int Pc, int Block)> Cases { get; } = cases;
}

internal sealed class CallSite(CompiledFunction callee, int[] args)
{
    public CompiledFunction Callee { get; } = callee;
    public int[] Args { get; } = args;
}

internal sealed class TraceSite(string format, int[] args, IrType[] types)
{
    public string Format { get; } = format;
    public int[] Args { get; } = args;
    public IrType[] Types { get; } = types;
}

internal sealed class CompiledFunction(IrFunction ir, int index)
{
    public IrFunction Ir { get; } = ir;
    public int Index { get; } = index;
    public Code[] Code = [];
    /// <summary>The register file. No function is ever active twice (Baker has no recursion), so each has one.</summary>
    public ulong[] Regs = [];
    public int[] ParamRegs = [];
    public int[] BlockLength = [];
    /// <summary>Start of this function's frame slots in memory, and their total size (zeroed on entry).</summary>
    public int SlotBase, SlotSize;
    /// <summary>The PPF instance (index in the module) this function belongs to, or -1.</summary>
    public int Instance = -1;
    public bool Active;
}
