namespace Baker.Compiler.Semantics;

// The types of Baker. Scalars follow C99 with fixed widths; handles are the packet-view types;
// ErrorType stands in after an error so that one mistake gives one diagnostic.

public abstract record BakerType
{
    public virtual bool IsScalar => false;
    public virtual bool IsInteger => false;
    public bool IsError => this is ErrorType;

    /// <summary>Whether a value of this type contains a lock (and so may not be copied).</summary>
    public virtual bool ContainsLock => false;

    /// <summary>Whether a value of this type contains a packet handle (which may not be stored).</summary>
    public virtual bool ContainsHandle => false;
}

public enum ScalarKind { Bool, U8, U16, U32, U64, I8, I16, I32, I64 }

public sealed record ScalarType(ScalarKind Kind) : BakerType
{
    public static readonly ScalarType Bool = new(ScalarKind.Bool);
    public static readonly ScalarType U8 = new(ScalarKind.U8);
    public static readonly ScalarType U16 = new(ScalarKind.U16);
    public static readonly ScalarType U32 = new(ScalarKind.U32);
    public static readonly ScalarType U64 = new(ScalarKind.U64);
    public static readonly ScalarType I8 = new(ScalarKind.I8);
    public static readonly ScalarType I16 = new(ScalarKind.I16);
    public static readonly ScalarType I32 = new(ScalarKind.I32);
    public static readonly ScalarType I64 = new(ScalarKind.I64);

    public override bool IsScalar => true;
    public override bool IsInteger => Kind != ScalarKind.Bool;

    public int Bits => Kind switch
    {
        ScalarKind.Bool => 1,
        ScalarKind.U8 or ScalarKind.I8 => 8,
        ScalarKind.U16 or ScalarKind.I16 => 16,
        ScalarKind.U32 or ScalarKind.I32 => 32,
        _ => 64,
    };

    public int Bytes => Kind == ScalarKind.Bool ? 1 : Bits / 8;
    public bool IsSigned => Kind is ScalarKind.I8 or ScalarKind.I16 or ScalarKind.I32 or ScalarKind.I64;

    /// <summary>C's conversion rank: wider types rank higher; signedness does not change rank.</summary>
    public int Rank => Kind == ScalarKind.Bool ? 0 : Bits;

    public static ScalarType Unsigned(int bits) => bits switch { <= 8 => U8, <= 16 => U16, <= 32 => U32, _ => U64 };
    public static ScalarType Of(int bits, bool signed) => signed
        ? bits switch { 8 => I8, 16 => I16, 32 => I32, _ => I64 }
        : Unsigned(bits);

    /// <summary>Brings a value (held in 64 bits) into this type's range: truncation, then sign or zero extension.</summary>
    public ulong Normalize(ulong value)
    {
        if (Kind == ScalarKind.Bool) return value != 0 ? 1UL : 0UL;
        if (Bits == 64) return value;
        ulong mask = (1UL << Bits) - 1;
        value &= mask;
        if (IsSigned && (value >> (Bits - 1)) != 0) value |= ~mask;
        return value;
    }

    public override string ToString() => Kind.ToString().ToLowerInvariant();
}

public sealed record VoidType : BakerType
{
    public static readonly VoidType Instance = new();
    public override string ToString() => "void";
}

public sealed record LockType : BakerType
{
    public static readonly LockType Instance = new();
    public override bool ContainsLock => true;
    public override string ToString() => "lock_t";
}

public sealed record ErrorType : BakerType
{
    public static readonly ErrorType Instance = new();
    public override string ToString() => "<error>";
}

public sealed record StructType(StructSymbol Symbol) : BakerType
{
    public override bool ContainsLock => Symbol.ContainsLock;
    public override bool ContainsHandle => Symbol.ContainsHandle;
    public override string ToString() => Symbol.Name;
    public bool Equals(StructType? other) => other is not null && ReferenceEquals(Symbol, other.Symbol);
    public override int GetHashCode() => Symbol.GetHashCode();
}

public sealed record ArrayType(BakerType Element, int Length) : BakerType
{
    public override bool ContainsLock => Element.ContainsLock;
    public override bool ContainsHandle => Element.ContainsHandle;
    public override string ToString()
    {
        // u32[4][8] prints inner-most dimension last, as declared.
        var dims = new List<int>();
        BakerType t = this;
        while (t is ArrayType a) { dims.Add(a.Length); t = a.Element; }
        return t + string.Concat(dims.Select(d => $"[{d}]"));
    }
}

public sealed record PointerType(BakerType Pointee) : BakerType
{
    public override bool ContainsHandle => Pointee.ContainsHandle;
    public override string ToString() => Pointee + "*";
}

/// <summary>A packet handle: <c>P*</c> (a view whose current header is a P) or <c>packet*</c> when Protocol is null.</summary>
public sealed record HandleType(ProtocolSymbol? Protocol) : BakerType
{
    public static readonly HandleType Packet = new((ProtocolSymbol?)null);
    public override bool ContainsHandle => true;
    public override string ToString() => (Protocol?.Name ?? "packet") + "*";
    public bool Equals(HandleType? other) => other is not null && ReferenceEquals(Protocol, other.Protocol);
    public override int GetHashCode() => Protocol?.GetHashCode() ?? 0;
}

/// <summary>The type of <c>h-&gt;meta</c>: the merged metadata record of the packet.</summary>
public sealed record MetadataType : BakerType
{
    public static readonly MetadataType Instance = new();
    public override string ToString() => "metadata";
}
