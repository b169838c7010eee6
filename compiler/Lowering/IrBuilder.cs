using Baker.Compiler.IR;

namespace Baker.Compiler.Lowering;

/// <summary>
/// Appends instructions to the current block of one function. Arithmetic on two constants is
/// folded here (offset computations are mostly constant), so lowering never emits `add 0:u32, 4:u32`.
/// After a terminator, emission continues in a fresh block that nothing reaches; simplify-cfg removes it.
/// </summary>
public sealed class IrBuilder(IrFunction function)
{
    public IrFunction Function { get; } = function;
    public Block Current { get; private set; } = null!;
    public SourceLocation? Location { get; set; }

    public Block NewBlock()
    {
        var b = new Block();
        Function.Blocks.Add(b);
        return b;
    }

    public void SetBlock(Block b) => Current = b;

    public bool IsTerminated => Current.Terminator is not null;

    public Instruction Emit(Op op, Register? dest, params Operand[] operands)
    {
        if (IsTerminated) SetBlock(NewBlock());
        var i = new Instruction(op, dest, operands, Location);
        Current.Instructions.Add(i);
        return i;
    }

    /// <summary>Emits an op with a fresh destination of type <paramref name="type"/> and returns it.</summary>
    public Register Def(Op op, IrType type, params Operand[] operands)
    {
        var r = new Register(type);
        Emit(op, r, operands);
        return r;
    }

    public static Constant Const(ulong v, IrType t) => new(v, t);
    public static Constant U32(long v) => new((ulong)v, IrType.U32);

    public void Jump(Block target)
    {
        if (!IsTerminated) Emit(Op.Jmp, null, new BlockRef(target));
    }

    public void Branch(Value condition, Block whenTrue, Block whenFalse)
    {
        if (condition is Constant c) { Jump(c.Bits != 0 ? whenTrue : whenFalse); return; }
        Emit(Op.Br, null, condition, new BlockRef(whenTrue), new BlockRef(whenFalse));
    }

    /// <summary>A conversion, skipped when the value already has the type; constants are converted in place.</summary>
    public Value Convert(Value v, IrType to)
    {
        if (v.Type == to) return v;
        if (v is Constant c) return new Constant(c.Bits, to);
        return Def(Op.Conv, to, v);
    }

    /// <summary>a + b in u32 byte-offset arithmetic, folding constants and adding zero.</summary>
    public Value AddOffset(Value a, Value b)
    {
        a = Convert(a, IrType.U32);
        b = Convert(b, IrType.U32);
        if (a is Constant ca && b is Constant cb) return U32((long)(ca.Bits + cb.Bits));
        if (a is Constant { Bits: 0 }) return b;
        if (b is Constant { Bits: 0 }) return a;
        return Def(Op.Add, IrType.U32, a, b);
    }

    public Value MulOffset(Value a, long factor)
    {
        a = Convert(a, IrType.U32);
        if (a is Constant c) return U32((long)c.Bits * factor);
        if (factor == 1) return a;
        return Def(Op.Mul, IrType.U32, a, U32(factor));
    }
}
