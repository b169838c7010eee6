using Baker.Compiler.Interpreter;
using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Propagates constants, folds what they decide and simplifies the conversions lowering leaves around narrow values:
/// <code>
///   b0:                                   b0:
///     %1: u32 = mov 6:u32                   %1: u32 = mov 6:u32          (dead now: dce removes it)
///     %2: u32 = mul %1, 4:u32     ----&gt;     %2: u32 = mov 24:u32
///     %3: i32 = conv %0                     %3: i32 = conv %0            (dead now)
///     %4: bool = eq %3, 10:i32              %4: bool = eq %0, 10:u8      (%0 is a u8: compared as one)
///     %5: bool = lt %1, 3:u32               %5: bool = mov 0:bool
///     br %5, b1, b2                         jmp b2                       (b1 unreachable: late-simplify-cfg)
/// </code>
/// Repeats until nothing changes:
/// <list type="bullet">
/// <item>A register read where it is known to hold a constant (it was last assigned <c>mov C</c> on every path,
/// <see cref="Dataflow.AvailableCopies"/>) reads the constant.</item>
/// <item>A pure op on constants becomes <c>mov</c> of its value, computed as the interpreter computes it: results
/// wrap to the type's width and signed types sign-extend; shifts by the width or more give 0 or the sign fill;
/// conversions truncate then extend. <c>div</c>/<c>rem</c> by a constant zero stay: they must fault at run time.</item>
/// <item>Identities: x+0, x-0, x*1, x/1, x&amp;~0, x|0, x^0, x&lt;&lt;0, x&gt;&gt;0 are x; x*0, x&amp;0, x%1 are 0;
/// x-x and x^x are 0; a conversion to the same type is a copy; comparisons of a register with itself are decided.</item>
/// <item>Conversions (looked up within the block, while their operand is not assigned again): a conversion of a
/// conversion is one conversion when the first keeps every value or the second keeps only bits the first kept;
/// a comparison of values widened without loss (or of one and a constant the narrow type holds) compares the
/// narrow values; <c>bounds</c> of a value widened to 64 bits checks the value itself (its 64-bit form is the same).</item>
/// <item><c>br</c> and <c>switch</c> on a constant jump; <c>bounds</c> of a constant that is in range is removed.</item>
/// </list>
/// </summary>
public static class ConstantFolding
{
    public static void Run(IrFunction f)
    {
        for (int round = 0; round < 32; round++)
        {
            bool changed = Propagate(f);
            changed |= Fold(f);
            if (!changed) return;
        }
    }

    // ------------------------------------------------------------------ propagation

    private static bool Propagate(IrFunction f)
    {
        var entry = Dataflow.AvailableCopies(f, v => v is Constant);
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var facts = entry[block];
            foreach (var i in block.Instructions)
            {
                var kinds = OpSignature.Of(i.Op).Kinds(i.Operands.Length);
                for (int k = 0; k < i.Operands.Length; k++)
                    if (kinds?[k] == 'v' && i.Operands[k] is Register r && facts.TryGetValue(r, out var c))
                    {
                        i.Operands[k] = c;
                        changed = true;
                    }
                Dataflow.Transfer(facts, i, v => v is Constant);
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ folding

    private static bool Fold(IrFunction f)
    {
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var list = block.Instructions;
            for (int k = 0; k < list.Count; k++)
            {
                var i = list[k];
                if (i.Op == Op.Bounds && i.Operands[0] is Constant c && c.Bits < (ulong)((IntImm)i.Operands[1]).Value)
                {
                    list.RemoveAt(k--);
                    changed = true;
                    continue;
                }
                changed |= Simplify(list, k);
            }
        }
        return changed;
    }

    /// <summary>Rewrites instruction <paramref name="k"/> of a block in place when it can be simplified.</summary>
    private static bool Simplify(List<Instruction> list, int k)
    {
        var i = list[k];
        switch (i.Op)
        {
            case Op.Br when i.Operands[0] is Constant c:
                Jump(i, (BlockRef)i.Operands[c.Bits != 0 ? 1 : 2]);
                return true;
            case Op.Switch when i.Operands[0] is Constant c:
            {
                var target = (BlockRef)i.Operands[1];
                for (int n = 2; n + 1 < i.Operands.Length; n += 2)
                    if (c.Type.Normalize((ulong)((IntImm)i.Operands[n]).Value) == c.Bits) { target = (BlockRef)i.Operands[n + 1]; break; }
                Jump(i, target);
                return true;
            }
            case Op.Bounds:
                if (i.Operands[0] is Register r && LocalDef(list, k, r) is { Op: Op.Conv } conv && KeepsBits64(conv.V(0).Type, r.Type))
                {
                    i.Operands[0] = conv.V(0);
                    return true;
                }
                return false;
        }
        if (i.Op == Op.Mov || !(Dataflow.IsPure(i.Op) || i.Op is Op.Div or Op.Rem) || i.Dest is null) return false;
        var values = i.Operands.OfType<Value>().ToArray();
        if (values.Length == i.Operands.Length - (i.Op == Op.Crc32 ? 1 : 0) && values.All(v => v is Constant)
            && i.Op is not (Op.Addr or Op.PtrAdd or Op.PktOffset))
        {
            var imm = i.Op == Op.Crc32 ? (int)((IntImm)i.Operands[1]).Value : 0;
            if (Evaluate(i.Op, i.Dest.Type, values.Cast<Constant>().ToArray(), imm) is { } result)
            {
                Move(i, new Constant(result, i.Dest.Type));
                return true;
            }
            return false;
        }
        return Identity(i) || ThroughConversions(list, k);
    }

    private static void Jump(Instruction i, BlockRef target)
    {
        i.Op = Op.Jmp;
        i.Operands = [target];
    }

    private static void Move(Instruction i, Value v)
    {
        i.Op = Op.Mov;
        i.Operands = [v];
    }

    /// <summary>The value of a pure op (or div/rem) on constants, as the interpreter computes it; null when it faults.</summary>
    public static ulong? Evaluate(Op op, IrType type, Constant[] operands, int immediate = 0)
    {
        ulong a = operands[0].Bits, b = operands.Length > 1 ? operands[1].Bits : 0;
        var t = op is Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge ? operands[0].Type : type;
        bool signed = t.IsSigned();
        int bits = t.Bits();
        switch (op)
        {
            case Op.Add: return Wrap(t, a + b);
            case Op.Sub: return Wrap(t, a - b);
            case Op.Mul: return Wrap(t, a * b);
            case Op.Div:
            case Op.Rem:
                if (b == 0) return null;
                if (signed)
                {
                    long x = (long)a, y = (long)b;
                    if (y == -1) return t.Normalize(op == Op.Rem ? 0 : 0 - a);   // long.MinValue / -1 wraps in Baker
                    return t.Normalize((ulong)(op == Op.Div ? x / y : x % y));
                }
                return op == Op.Div ? a / b : a % b;
            case Op.And: return a & b;
            case Op.Or: return a | b;
            case Op.Xor: return a ^ b;
            case Op.Shl: return b >= (ulong)bits ? 0 : Wrap(t, a << (int)b);
            case Op.Shr:
                if (signed) return t.Normalize(b >= (ulong)bits ? ((long)a < 0 ? ulong.MaxValue : 0) : (ulong)((long)a >> (int)b));
                return b >= (ulong)bits ? 0 : a >> (int)b;
            case Op.Neg: return Wrap(t, 0 - a);
            case Op.Not: return t == IrType.Bool ? a ^ 1 : t.Normalize(~a);
            case Op.Eq: return a == b ? 1UL : 0;
            case Op.Ne: return a != b ? 1UL : 0;
            case Op.Lt: return Compare(a, b, signed) < 0 ? 1UL : 0;
            case Op.Le: return Compare(a, b, signed) <= 0 ? 1UL : 0;
            case Op.Gt: return Compare(a, b, signed) > 0 ? 1UL : 0;
            case Op.Ge: return Compare(a, b, signed) >= 0 ? 1UL : 0;
            case Op.Conv: return type == IrType.Bool ? (a != 0 ? 1UL : 0) : type.Normalize(a);
            case Op.Min: return Compare(a, b, signed) <= 0 ? a : b;
            case Op.Max: return Compare(a, b, signed) >= 0 ? a : b;
            case Op.Hash32: return Hashing.Hash32(a);
            case Op.Hash64: return Hashing.Hash64(a);
            case Op.Crc32: return Hashing.Crc32(a, immediate);
            default: return null;
        }
    }

    /// <summary>An arithmetic result brought into its type: truncated to the width, then extended (a bool keeps its low bit,
    /// as the 1-bit type it is: <c>add 1:bool, 1:bool</c> is 0).</summary>
    private static ulong Wrap(IrType t, ulong v) => t == IrType.Bool ? v & 1 : t.Normalize(v);

    private static int Compare(ulong a, ulong b, bool signed) => signed ? ((long)a).CompareTo((long)b) : a.CompareTo(b);

    /// <summary>Algebraic identities with one constant operand, or the same register twice.</summary>
    private static bool Identity(Instruction i)
    {
        var t = i.Dest!.Type;
        if (i.Op == Op.Conv)
        {
            if (i.V(0).Type != t) return false;
            Move(i, i.V(0));
            return true;
        }
        if (i.Operands.Length != 2 || i.Operands[0] is not Value a || i.Operands[1] is not Value b) return false;
        ulong ones = t.Normalize(ulong.MaxValue);
        bool Is(Value v, ulong bits) => v is Constant c && c.Bits == bits;
        Value? result = i.Op switch
        {
            Op.Add when Is(b, 0) => a,
            Op.Add when Is(a, 0) => b,
            Op.Sub when Is(b, 0) => a,
            Op.Mul when Is(b, 1) => a,
            Op.Mul when Is(a, 1) => b,
            Op.Mul when Is(b, 0) || Is(a, 0) => new Constant(0, t),
            Op.Div when Is(b, 1) => a,
            Op.Rem when Is(b, 1) => new Constant(0, t),
            Op.And when Is(b, ones) => a,
            Op.And when Is(a, ones) => b,
            Op.And when Is(b, 0) || Is(a, 0) => new Constant(0, t),
            Op.Or when Is(b, 0) => a,
            Op.Or when Is(a, 0) => b,
            Op.Or when Is(b, ones) || Is(a, ones) => new Constant(ones, t),
            Op.Xor when Is(b, 0) => a,
            Op.Xor when Is(a, 0) => b,
            Op.Shl or Op.Shr when Is(b, 0) => a,
            Op.Shl or Op.Shr when Is(a, 0) => new Constant(0, t),
            Op.Sub or Op.Xor when a is Register && a == b => new Constant(0, t),
            Op.And or Op.Or or Op.Min or Op.Max when a is Register && a == b => a,
            Op.Eq or Op.Le or Op.Ge when a is Register && a == b => new Constant(1, IrType.Bool),
            Op.Ne or Op.Lt or Op.Gt when a is Register && a == b => new Constant(0, IrType.Bool),
            // A bool compared with a constant is itself or its negation.
            Op.Eq when a.Type == IrType.Bool && Is(b, 1) => a,
            Op.Ne when a.Type == IrType.Bool && Is(b, 0) => a,
            _ => null,
        };
        if (result is null)
        {
            if (a.Type == IrType.Bool && i.Op is Op.Eq or Op.Ne && b is Constant c && a is Register)
            {
                bool same = (c.Bits != 0) == (i.Op == Op.Eq);
                if (same) return false;
                i.Op = Op.Not;
                i.Operands = [a];
                return true;
            }
            return false;
        }
        Move(i, result);
        return true;
    }

    // ------------------------------------------------------------------ conversions

    /// <summary>
    /// The instruction that last assigned <paramref name="r"/> before instruction <paramref name="k"/> in the same
    /// block, when the registers it read still hold what it read; else null (assigned in another block, or an operand
    /// assigned since).
    /// </summary>
    private static Instruction? LocalDef(List<Instruction> list, int k, Register r)
    {
        var assigned = new HashSet<Register>();
        for (int j = k - 1; j >= 0; j--)
        {
            var d = list[j];
            if (d.Dest == r)
                return Dataflow.Reads(d).Any(x => x == r || assigned.Contains(x)) ? null : d;
            if (d.Dest is not null) assigned.Add(d.Dest);
        }
        return null;
    }

    /// <summary>Whether converting from <paramref name="from"/> to <paramref name="to"/> keeps every value of <paramref name="from"/>.</summary>
    public static bool KeepsValues(IrType from, IrType to)
    {
        if (!from.IsScalar() || !to.IsInteger()) return false;
        if (from == IrType.Bool) return true;
        if (from.IsSigned()) return to.IsSigned() && to.Bits() >= from.Bits();
        return to.IsSigned() ? to.Bits() > from.Bits() : to.Bits() >= from.Bits();
    }

    /// <summary>Whether a value of type <paramref name="from"/> converted to <paramref name="to"/> has the same 64-bit form
    /// (what <c>bounds</c> compares): any widening to 64 bits, or a conversion that keeps every value.</summary>
    private static bool KeepsBits64(IrType from, IrType to) =>
        from.IsScalar() && to.IsInteger() && (to.Bits() == 64 || KeepsValues(from, to));

    private static bool ThroughConversions(List<Instruction> list, int k)
    {
        var i = list[k];
        if (i.Op == Op.Conv)
        {
            // conv(conv(x: A): B): C. With B and C integers, C sees only its own low bits of B's value, which are x's
            // when C is no wider than B; and when A -> B keeps every value, B's value is x's. To bool (nonzero) only
            // the second holds.
            if (i.Operands[0] is not Register r || LocalDef(list, k, r) is not { } def) return false;
            if (def.Op != Op.Conv) return NarrowArithmetic(list, k, def);
            var inner = def;
            var (a, b, c) = (inner.V(0).Type, r.Type, i.Dest!.Type);
            if (!b.IsInteger()) return false;
            bool ok = KeepsValues(a, b) || (c.IsInteger() && c.Bits() <= b.Bits());
            if (!ok) return false;
            if (a == c) Move(i, inner.V(0));
            else i.Operands = [inner.V(0)];
            return true;
        }
        if (i.Op is not (Op.Eq or Op.Ne or Op.Lt or Op.Le or Op.Gt or Op.Ge)) return false;
        // Comparisons of values widened without loss: compare the narrow values (the same numbers, so the same order
        // in the narrow type's signedness).
        Value? Narrow(Value v, out IrType from)
        {
            from = IrType.Void;
            if (v is not Register r || LocalDef(list, k, r) is not { Op: Op.Conv } conv) return null;
            from = conv.V(0).Type;
            return KeepsValues(from, r.Type) ? conv.V(0) : null;
        }
        var x = Narrow(i.V(0), out var ta);
        var y = Narrow(i.V(1), out var tb);
        if (x is not null && y is not null && ta == tb)
        {
            i.Operands = [x, y];
            return true;
        }
        if (x is not null && i.V(1) is Constant cb && Fit(cb, ta) is { } nb)
        {
            i.Operands = [x, nb];
            return true;
        }
        if (y is not null && i.V(0) is Constant ca && Fit(ca, tb) is { } na)
        {
            i.Operands = [na, y];
            return true;
        }
        return false;
    }

    /// <summary>
    /// <c>d: C = conv (op x, y): B</c>, C an integer type no wider than B, op one whose low bits depend only on the
    /// operands' low bits (add, sub, mul, and, or, xor, not, neg, and shl by the same count), each operand a constant or
    /// a conversion of a C value: d is <c>op</c> on the C values (C's wrapping is the truncation). This is C's promotion
    /// undone: <c>u16 n; n += 1</c> lowers to conv to i32, add, conv back to u16.
    /// </summary>
    private static bool NarrowArithmetic(List<Instruction> list, int k, Instruction op)
    {
        var i = list[k];
        var (b, c) = (op.Dest!.Type, i.Dest!.Type);
        if (!b.IsInteger() || !c.IsInteger() || c.Bits() > b.Bits()) return false;
        if (op.Op is not (Op.Add or Op.Sub or Op.Mul or Op.And or Op.Or or Op.Xor or Op.Not or Op.Neg or Op.Shl)) return false;
        int at = list.IndexOf(op, 0, k);
        int narrowed = op.Op == Op.Shl ? 1 : op.Operands.Length;
        var operands = (Operand[])op.Operands.Clone();
        for (int n = 0; n < narrowed; n++)
        {
            if (op.Operands[n] is Constant constant) operands[n] = new Constant(constant.Bits, c);
            else if (op.Operands[n] is Register x && LocalDef(list, at, x) is { Op: Op.Conv } conv && conv.V(0).Type == c
                     && (conv.V(0) is Constant || !AssignedBetween(list, at, k, (Register)conv.V(0))))
                operands[n] = conv.V(0);
            else return false;
        }
        i.Op = op.Op;
        i.Operands = operands;
        return true;
    }

    /// <summary>Whether an instruction after <paramref name="from"/> and before <paramref name="to"/> assigns <paramref name="r"/>.</summary>
    private static bool AssignedBetween(List<Instruction> list, int from, int to, Register r)
    {
        for (int j = from + 1; j < to; j++)
            if (list[j].Dest == r) return true;
        return false;
    }

    /// <summary>The constant as a constant of type <paramref name="t"/>, when that type holds its value; else null.</summary>
    private static Constant? Fit(Constant c, IrType t)
    {
        Int128 value = c.Type.IsSigned() ? (long)c.Bits : c.Bits;
        Int128 min = t.IsSigned() ? -((Int128)1 << (t.Bits() - 1)) : 0;
        Int128 max = t.IsSigned() ? ((Int128)1 << (t.Bits() - 1)) - 1 : ((Int128)1 << t.Bits()) - 1;
        return value >= min && value <= max ? new Constant((ulong)value, t) : null;
    }
}
