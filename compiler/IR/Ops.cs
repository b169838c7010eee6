namespace Baker.Compiler.IR;

// The op table: every IR operation once, with its operand signature, result rule, effects and a
// one-line meaning. The printer, the parser, the verifier and the interpreter all read it (Go keeps
// its SSA ops the same way), so a new op is one row here plus its execution in the interpreter.

public enum Op : byte
{
    Mov, Add, Sub, Mul, Div, Rem, And, Or, Xor, Shl, Shr, Neg, Not,
    Eq, Ne, Lt, Le, Gt, Ge, Conv, Min, Max,
    Hash32, Hash64, Crc32, Now, Trace,
    Addr, PtrAdd, Bounds, Load, Store, Copy, Lock, Unlock, TryLock,
    PktOffset, PktGet, PktSet, PktLength, PktByte, PktSetByte, PktDecap, PktEncap, PktCopy, PktCreate, PktDrop,
    PktTrim, PktExtend, MetaGet, MetaSet, Put,
    Call, Jmp, Br, Switch, Ret, Unreachable,
}

/// <summary>What the result of an op is. <c>Same</c>: the type of the first value operand; <c>Typed</c>: the
/// destination's declared type (conversions, loads, field reads, calls).</summary>
public enum ResultRule : byte { None, Same, Typed, Bool, Ptr, Pkt, U8, U32, U64, I32 }

[Flags]
public enum OpEffects : ushort
{
    None = 0,
    ReadsMemory = 1 << 0,
    WritesMemory = 1 << 1,
    ReadsPacket = 1 << 2,
    WritesPacket = 1 << 3,
    /// <summary>May drop the packet being processed with a named reason (div_by_zero, bounds, truncated, deadlock).</summary>
    MayFault = 1 << 4,
    Terminator = 1 << 5,
    Call = 1 << 6,
    /// <summary>Observable outside the program (trace output, the clock).</summary>
    Io = 1 << 7,
    /// <summary>Makes, frees or hands off a packet (ownership changes).</summary>
    PacketLifetime = 1 << 8,
}

/// <summary>
/// One row of the op table. <see cref="Signature"/> lists the operands, space-separated:
/// <c>v</c> a value (register or constant), <c>l</c> a location (a storage object <c>@g</c>/<c>$s</c> or a
/// <c>ptr</c> value), <c>o</c> a storage object, <c>b</c> a block, <c>i</c> an integer immediate,
/// <c>f</c> a metadata field, <c>e</c> an endpoint of the function's PPF instance, <c>F</c> a function,
/// <c>s</c> a string. A trailing <c>v*</c> repeats values, <c>v?</c> is an optional value, and
/// <c>[i b]*</c> repeats a group.
/// </summary>
public sealed record OpInfo(Op Op, string Name, string Signature, ResultRule Result, OpEffects Effects, string Meaning)
{
    public bool IsTerminator => (Effects & OpEffects.Terminator) != 0;
    public bool HasResult => Result != ResultRule.None;
}

public static class OpTable
{
    private const OpEffects RM = OpEffects.ReadsMemory, WM = OpEffects.WritesMemory, RP = OpEffects.ReadsPacket,
        WP = OpEffects.WritesPacket, F = OpEffects.MayFault, T = OpEffects.Terminator, L = OpEffects.PacketLifetime;

    private static readonly OpInfo[] Rows =
    [
        new(Op.Mov, "mov", "v", ResultRule.Same, 0, "copy a value"),
        new(Op.Add, "add", "v v", ResultRule.Same, 0, "a + b, wrapping in the type"),
        new(Op.Sub, "sub", "v v", ResultRule.Same, 0, "a - b, wrapping"),
        new(Op.Mul, "mul", "v v", ResultRule.Same, 0, "a * b, wrapping"),
        new(Op.Div, "div", "v v", ResultRule.Same, F, "a / b (signed if the type is); faults div_by_zero"),
        new(Op.Rem, "rem", "v v", ResultRule.Same, F, "a % b (signed if the type is); faults div_by_zero"),
        new(Op.And, "and", "v v", ResultRule.Same, 0, "bitwise and"),
        new(Op.Or, "or", "v v", ResultRule.Same, 0, "bitwise or"),
        new(Op.Xor, "xor", "v v", ResultRule.Same, 0, "bitwise exclusive or"),
        new(Op.Shl, "shl", "v v", ResultRule.Same, 0, "a << b; 0 when b >= the width"),
        new(Op.Shr, "shr", "v v", ResultRule.Same, 0, "a >> b, arithmetic if the type is signed; 0 or the sign fill when b >= the width"),
        new(Op.Neg, "neg", "v", ResultRule.Same, 0, "two's complement negation"),
        new(Op.Not, "not", "v", ResultRule.Same, 0, "bitwise not (logical not on bool)"),
        new(Op.Eq, "eq", "v v", ResultRule.Bool, 0, "a == b"),
        new(Op.Ne, "ne", "v v", ResultRule.Bool, 0, "a != b"),
        new(Op.Lt, "lt", "v v", ResultRule.Bool, 0, "a < b, signed if the operand type is"),
        new(Op.Le, "le", "v v", ResultRule.Bool, 0, "a <= b"),
        new(Op.Gt, "gt", "v v", ResultRule.Bool, 0, "a > b"),
        new(Op.Ge, "ge", "v v", ResultRule.Bool, 0, "a >= b"),
        new(Op.Conv, "conv", "v", ResultRule.Typed, 0, "convert to the result type: truncate, then sign- or zero-extend; nonzero to bool is 1"),
        new(Op.Min, "min", "v v", ResultRule.Same, 0, "the smaller of a and b"),
        new(Op.Max, "max", "v v", ResultRule.Same, 0, "the larger of a and b"),
        new(Op.Hash32, "hash32", "v", ResultRule.U32, 0, "hash unit: 32-bit hash of a 64-bit value"),
        new(Op.Hash64, "hash64", "v", ResultRule.U64, 0, "hash unit: 64-bit hash of a 64-bit value"),
        new(Op.Crc32, "crc32", "v i", ResultRule.U32, 0, "CRC-32 of the n low-order bytes of a, most significant first"),
        new(Op.Now, "now", "", ResultRule.U64, OpEffects.Io, "the current time in nanoseconds"),
        new(Op.Trace, "trace", "s v*", ResultRule.None, OpEffects.Io, "debug output with a printf-like format"),
        new(Op.Addr, "addr", "o v", ResultRule.Ptr, 0, "a pointer to byte offset b of a storage object"),
        new(Op.PtrAdd, "ptradd", "v v", ResultRule.Ptr, 0, "a pointer b bytes further into the same object"),
        new(Op.Bounds, "bounds", "v i", ResultRule.None, F, "faults bounds unless a (as u64) < n"),
        new(Op.Load, "load", "l v", ResultRule.Typed, RM, "read a scalar of the result type at byte offset b of a location"),
        new(Op.Store, "store", "l v v", ResultRule.None, WM, "write value c (its type's width) at byte offset b of a location"),
        new(Op.Copy, "copy", "l v l v i", ResultRule.None, RM | WM, "copy n bytes from (location c, offset d) to (location a, offset b)"),
        new(Op.Lock, "lock", "l v", ResultRule.None, RM | WM | F, "acquire the lock at (location, offset); faults deadlock if it can never be released"),
        new(Op.Unlock, "unlock", "l v", ResultRule.None, WM, "release the lock at (location, offset)"),
        new(Op.TryLock, "trylock", "l v", ResultRule.Bool, RM | WM, "acquire the lock if free; true when acquired"),
        new(Op.PktOffset, "pkt.hoff", "v", ResultRule.I32, 0, "the byte offset of the handle's current header from the packet's origin"),
        new(Op.PktGet, "pkt.get", "v v i i", ResultRule.Typed, RP | F, "read the field at (header offset b, bit offset c, width d); faults truncated"),
        new(Op.PktSet, "pkt.set", "v v i i v", ResultRule.None, WP | F, "write value e, truncated to width d, at (header offset b, bit offset c); faults truncated"),
        new(Op.PktLength, "pkt.len", "v", ResultRule.U32, RP, "bytes from the current header to the end of the packet"),
        new(Op.PktByte, "pkt.byte", "v v v", ResultRule.U8, RP | F, "the byte at header offset b + index c; faults truncated"),
        new(Op.PktSetByte, "pkt.setbyte", "v v v v", ResultRule.None, WP | F, "write byte d at header offset b + index c; faults truncated"),
        new(Op.PktDecap, "pkt.decap", "v v", ResultRule.Pkt, RP | F, "a handle b bytes past the current header; faults truncated past the end"),
        new(Op.PktEncap, "pkt.encap", "v i", ResultRule.Pkt, WP, "a handle on n new zero bytes in front of the current header"),
        new(Op.PktCopy, "pkt.copy", "v", ResultRule.Pkt, RP | L, "a new packet: the bytes from the current header to the end, and the metadata"),
        new(Op.PktCreate, "pkt.create", "v", ResultRule.Pkt, L, "a new zero packet of n bytes; metadata zero, in_port 255"),
        new(Op.PktDrop, "pkt.drop", "v", ResultRule.None, L, "free the packet, counted as dropped by the program"),
        new(Op.PktTrim, "pkt.trim", "v v", ResultRule.None, WP | F, "remove n bytes at the tail; faults truncated if fewer remain"),
        new(Op.PktExtend, "pkt.extend", "v v", ResultRule.None, WP, "append n zero bytes at the tail"),
        new(Op.MetaGet, "meta.get", "v f", ResultRule.Typed, RP, "read a metadata field of the packet"),
        new(Op.MetaSet, "meta.set", "v f v", ResultRule.None, WP, "write a metadata field (truncated to its type)"),
        new(Op.Put, "put", "e v", ResultRule.None, L, "enqueue the packet on an output endpoint of this PPF instance"),
        new(Op.Call, "call", "F v*", ResultRule.Typed, OpEffects.Call | RM | WM | RP | WP | F | L, "call a function with arguments"),
        new(Op.Jmp, "jmp", "b", ResultRule.None, T, "go to a block"),
        new(Op.Br, "br", "v b b", ResultRule.None, T, "go to b if the bool a is true, else to c"),
        new(Op.Switch, "switch", "v b [i b]*", ResultRule.None, T, "go to the block of the case equal to a, else to the default b"),
        new(Op.Ret, "ret", "v?", ResultRule.None, T, "return from the function, with a value unless it is void"),
        new(Op.Unreachable, "unreachable", "", ResultRule.None, T, "control cannot reach here (faults internal if it does)"),
    ];

    private static readonly OpInfo[] ByOp = Build();
    private static readonly Dictionary<string, OpInfo> ByName = Rows.ToDictionary(r => r.Name, StringComparer.Ordinal);

    private static OpInfo[] Build()
    {
        var table = new OpInfo[Enum.GetValues<Op>().Length];
        foreach (var r in Rows)
        {
            if (table[(int)r.Op] is not null) throw new InvalidOperationException($"op {r.Op} is listed twice in the op table");
            table[(int)r.Op] = r;
        }
        for (int i = 0; i < table.Length; i++)
            if (table[i] is null) throw new InvalidOperationException($"op {(Op)i} is missing from the op table");
        return table;
    }

    public static IReadOnlyList<OpInfo> All => Rows;
    public static OpInfo Info(this Op op) => ByOp[(int)op];
    public static bool TryGet(string name, out OpInfo info) => ByName.TryGetValue(name, out info!);
}
