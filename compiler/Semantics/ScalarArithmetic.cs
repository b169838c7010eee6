using Baker.Compiler.Syntax;

namespace Baker.Compiler.Semantics;

/// <summary>
/// Baker's integer semantics, in one place for the constant folder and the interpreter: values
/// are held in 64 bits, normalised to their type (signed values sign-extended). Unsigned and signed
/// arithmetic wrap; shifts by the width or more give 0 (logical) or the sign fill (arithmetic);
/// division by zero is reported by returning null.
/// </summary>
public static class ScalarArithmetic
{
    /// <summary>C's integer promotion: anything narrower than 32 bits (bool included) becomes i32.</summary>
    public static ScalarType Promote(ScalarType t) => t.Rank < 32 ? ScalarType.I32 : t;

    /// <summary>C99's usual arithmetic conversions, after promotion.</summary>
    public static ScalarType Common(ScalarType a, ScalarType b)
    {
        a = Promote(a);
        b = Promote(b);
        if (a == b) return a;
        if (a.IsSigned == b.IsSigned) return a.Rank >= b.Rank ? a : b;
        var (u, s) = a.IsSigned ? (b, a) : (a, b);
        if (u.Rank >= s.Rank) return u;
        if (s.Rank > u.Rank) return s;            // the signed type holds every value of the narrower unsigned one
        return ScalarType.Unsigned(s.Bits);
    }

    /// <summary>The literal type rule: the first of i32, u32, i64, u64 that holds the value.</summary>
    public static ScalarType LiteralType(ulong value) =>
        value <= int.MaxValue ? ScalarType.I32 :
        value <= uint.MaxValue ? ScalarType.U32 :
        value <= long.MaxValue ? ScalarType.I64 : ScalarType.U64;

    public static ulong Convert(ulong value, ScalarType to) => to.Normalize(value);

    /// <summary>Applies an arithmetic, bitwise or shift operator in type <paramref name="t"/>; null on division by zero.</summary>
    public static ulong? Binary(BinaryOp op, ulong a, ulong b, ScalarType t)
    {
        bool signed = t.IsSigned;
        ulong r;
        switch (op)
        {
            case BinaryOp.Add: r = a + b; break;
            case BinaryOp.Sub: r = a - b; break;
            case BinaryOp.Mul: r = a * b; break;
            case BinaryOp.Div:
            case BinaryOp.Rem:
                if (t.Normalize(b) == 0) return null;
                if (signed)
                {
                    long x = (long)a, y = (long)b;
                    // long.MinValue / -1 overflows in .NET; in Baker it wraps.
                    if (y == -1) r = op == BinaryOp.Div ? (ulong)(0 - x) : 0;
                    else r = (ulong)(op == BinaryOp.Div ? x / y : x % y);
                }
                else
                {
                    ulong x = t.Normalize(a), y = t.Normalize(b);
                    r = op == BinaryOp.Div ? x / y : x % y;
                }
                break;
            case BinaryOp.BitAnd: r = a & b; break;
            case BinaryOp.BitOr: r = a | b; break;
            case BinaryOp.BitXor: r = a ^ b; break;
            // A negative count is a huge unsigned number here: it shifts everything out, like a count >= width.
            case BinaryOp.Shl: r = b >= (ulong)t.Bits ? 0 : a << (int)b; break;
            case BinaryOp.Shr:
                if (signed)
                {
                    long x = (long)t.Normalize(a);
                    r = b >= (ulong)t.Bits ? (ulong)(x < 0 ? -1L : 0L) : (ulong)(x >> (int)b);
                }
                else
                {
                    ulong x = t.Normalize(a);
                    r = b >= (ulong)t.Bits ? 0 : x >> (int)b;
                }
                break;
            default:
                throw new ArgumentException($"ScalarArithmetic.Binary: '{op}' is not an arithmetic operator");
        }
        return t.Normalize(r);
    }

    /// <summary>A comparison of two values already converted to type <paramref name="t"/>.</summary>
    public static bool Compare(BinaryOp op, ulong a, ulong b, ScalarType t)
    {
        int c = t.IsSigned ? ((long)a).CompareTo((long)b) : a.CompareTo(b);
        return op switch
        {
            BinaryOp.Lt => c < 0,
            BinaryOp.Gt => c > 0,
            BinaryOp.Le => c <= 0,
            BinaryOp.Ge => c >= 0,
            BinaryOp.Eq => c == 0,
            BinaryOp.Ne => c != 0,
            _ => throw new ArgumentException($"ScalarArithmetic.Compare: '{op}' is not a comparison"),
        };
    }

    public static ulong Unary(UnaryOp op, ulong a, ScalarType t) => op switch
    {
        UnaryOp.Negate => t.Normalize(0 - a),
        UnaryOp.BitNot => t.Normalize(~a),
        UnaryOp.LogicalNot => a == 0 ? 1UL : 0UL,
        UnaryOp.Plus => t.Normalize(a),
        _ => throw new ArgumentException($"ScalarArithmetic.Unary: '{op}' is not an arithmetic operator"),
    };

    /// <summary>Whether <paramref name="value"/> (of type <paramref name="from"/>) survives conversion to <paramref name="to"/>,
    /// read either as signed or as unsigned (so -1 → u32 and 0xFFFFFFFF → i32 are fine, 300 → u8 is not).</summary>
    public static bool FitsLoosely(ulong value, ScalarType from, ScalarType to)
    {
        if (to.Kind == ScalarKind.Bool || to.Bits == 64) return true;
        long asSigned = from.IsSigned ? (long)value : (value > long.MaxValue ? -1 : (long)value);
        if (from.IsSigned && asSigned < 0) return asSigned >= -(1L << (to.Bits - 1));
        return value <= (1UL << to.Bits) - 1;
    }
}
