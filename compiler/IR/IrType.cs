namespace Baker.Compiler.IR;

/// <summary>
/// The types of IR values. Scalars are held in 64 bits, normalised to their type (signed values
/// sign-extended, bool 0 or 1). <c>ptr</c> is a reference into a storage object (object, byte offset);
/// <c>pkt</c> is a packet handle (packet, current header offset). Aggregates never live in registers:
/// they are storage objects (globals, PPF state, frame slots) reached through load/store/copy.
/// </summary>
public enum IrType : byte { Void, Bool, U8, U16, U32, U64, I8, I16, I32, I64, Ptr, Pkt }

public static class IrTypes
{
    public static bool IsScalar(this IrType t) => t is >= IrType.Bool and <= IrType.I64;
    public static bool IsInteger(this IrType t) => t is >= IrType.U8 and <= IrType.I64;
    public static bool IsSigned(this IrType t) => t is >= IrType.I8 and <= IrType.I64;

    public static int Bits(this IrType t) => t switch
    {
        IrType.Bool => 1,
        IrType.U8 or IrType.I8 => 8,
        IrType.U16 or IrType.I16 => 16,
        IrType.U32 or IrType.I32 => 32,
        IrType.U64 or IrType.I64 => 64,
        _ => 64,
    };

    /// <summary>Bytes a scalar of this type occupies in memory.</summary>
    public static int Bytes(this IrType t) => t == IrType.Bool ? 1 : t.Bits() / 8;

    /// <summary>The smallest unsigned type that holds <paramref name="bits"/> bits.</summary>
    public static IrType Unsigned(int bits) => bits switch { <= 8 => IrType.U8, <= 16 => IrType.U16, <= 32 => IrType.U32, _ => IrType.U64 };

    /// <summary>Truncates to the type's width, then sign- or zero-extends; bool becomes 0 or 1.</summary>
    public static ulong Normalize(this IrType t, ulong v) => t switch
    {
        IrType.Bool => v != 0 ? 1UL : 0UL,
        IrType.U8 => (byte)v,
        IrType.U16 => (ushort)v,
        IrType.U32 => (uint)v,
        IrType.I8 => (ulong)(long)(sbyte)v,
        IrType.I16 => (ulong)(long)(short)v,
        IrType.I32 => (ulong)(long)(int)v,
        _ => v,
    };

    public static string Name(this IrType t) => t switch
    {
        IrType.Void => "void",
        IrType.Bool => "bool",
        IrType.Ptr => "ptr",
        IrType.Pkt => "pkt",
        _ => t.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string text, out IrType type)
    {
        foreach (var t in Enum.GetValues<IrType>())
            if (t.Name() == text) { type = t; return true; }
        type = IrType.Void;
        return false;
    }
}
