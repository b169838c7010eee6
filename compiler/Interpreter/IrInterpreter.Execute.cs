using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

public sealed partial class IrInterpreter
{
    private readonly List<Packet?> packets = new();
    /// <summary>Packets made or received by the running invocation and not yet put or dropped.</summary>
    private readonly List<int> owned = new();
    /// <summary>Addresses of the locks the running invocation took and has not released: a fault releases them.</summary>
    private readonly List<int> heldLocks = new();
    private long steps;
    private long now;
    private readonly ProfileCounters? profile;

    private Packet Pkt(ulong handle)
    {
        int id = Packet.IdOf(handle);
        var p = (uint)id < (uint)packets.Count ? packets[id] : null;
        return p ?? throw new PacketFault("stale_handle", "a handle on a packet that was already put or dropped");
    }

    private Packet NewPacket(ReadOnlySpan<byte> data, long timestamp)
    {
        var p = new Packet(packets.Count, data, module.Metadata.Count, timestamp);
        packets.Add(p);
        return p;
    }

    /// <summary>A packet the running invocation made (packet_copy, packet_create): it owns it until it puts or drops it.</summary>
    private Packet MakePacket(ReadOnlySpan<byte> data, long timestamp)
    {
        var p = NewPacket(data, timestamp);
        owned.Add(p.Id);
        result.Created++;
        return p;
    }

    private ulong Execute(CompiledFunction f, ReadOnlySpan<ulong> args)
    {
        for (int i = 0; i < args.Length; i++) f.Regs[f.ParamRegs[i]] = args[i];
        return Execute(f);
    }

    /// <summary>
    /// Runs a function whose parameters are already in its registers. There is no try/finally here on
    /// purpose (locals live across one are not kept in machine registers): after a fault, Invoke clears
    /// the Active flags of every function instead.
    /// </summary>
    private ulong Execute(CompiledFunction f)
    {
        if (f.Active) throw new InvalidOperationException($"@{f.Ir.Name} is already running (recursion)");
        f.Active = true;
        {
            var regs = f.Regs;
            // Register indices come from Translate and are in range by construction: skip the bounds checks.
            ref ulong r0 = ref MemoryMarshal.GetArrayDataReference(regs);
            if (f.SlotSize > 0) memory.AsSpan(f.SlotBase, f.SlotSize).Clear();
            profile?.Block(f, 0);
            var code = f.Code;
            int pc = 0;
            while (true)
            {
                ref Code c = ref code[pc++];
                switch (c.Op)
                {
                    case Op.Mov: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A); break;
                    case Op.Add: Unsafe.Add(ref r0, c.D) = Norm(in c, Unsafe.Add(ref r0, c.A) + Unsafe.Add(ref r0, c.B)); break;
                    case Op.Sub: Unsafe.Add(ref r0, c.D) = Norm(in c, Unsafe.Add(ref r0, c.A) - Unsafe.Add(ref r0, c.B)); break;
                    case Op.Mul: Unsafe.Add(ref r0, c.D) = Norm(in c, Unsafe.Add(ref r0, c.A) * Unsafe.Add(ref r0, c.B)); break;
                    case Op.Div: Unsafe.Add(ref r0, c.D) = Divide(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Type, remainder: false); break;
                    case Op.Rem: Unsafe.Add(ref r0, c.D) = Divide(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Type, remainder: true); break;
                    case Op.And: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A) & Unsafe.Add(ref r0, c.B); break;
                    case Op.Or: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A) | Unsafe.Add(ref r0, c.B); break;
                    case Op.Xor: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A) ^ Unsafe.Add(ref r0, c.B); break;
                    case Op.Shl:
                    {
                        ulong n = Unsafe.Add(ref r0, c.B);
                        Unsafe.Add(ref r0, c.D) = n >= (ulong)(64 - c.Shift) ? 0 : Norm(in c, Unsafe.Add(ref r0, c.A) << (int)n);
                        break;
                    }
                    case Op.Shr:
                    {
                        ulong n = Unsafe.Add(ref r0, c.B), a = Unsafe.Add(ref r0, c.A);
                        bool outOfRange = n >= (ulong)(64 - c.Shift);
                        if (c.Signed) Unsafe.Add(ref r0, c.D) = outOfRange ? ((long)a < 0 ? ulong.MaxValue : 0) : (ulong)((long)a >> (int)n);
                        else Unsafe.Add(ref r0, c.D) = outOfRange ? 0 : a >> (int)n;
                        Unsafe.Add(ref r0, c.D) = Norm(in c, Unsafe.Add(ref r0, c.D));
                        break;
                    }
                    case Op.Neg: Unsafe.Add(ref r0, c.D) = Norm(in c, 0 - Unsafe.Add(ref r0, c.A)); break;
                    case Op.Not: Unsafe.Add(ref r0, c.D) = c.Type == IrType.Bool ? Unsafe.Add(ref r0, c.A) ^ 1 : Norm(in c, ~Unsafe.Add(ref r0, c.A)); break;
                    case Op.Eq: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A) == Unsafe.Add(ref r0, c.B) ? 1UL : 0; break;
                    case Op.Ne: Unsafe.Add(ref r0, c.D) = Unsafe.Add(ref r0, c.A) != Unsafe.Add(ref r0, c.B) ? 1UL : 0; break;
                    case Op.Lt: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) < 0 ? 1UL : 0; break;
                    case Op.Le: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) <= 0 ? 1UL : 0; break;
                    case Op.Gt: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) > 0 ? 1UL : 0; break;
                    case Op.Ge: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) >= 0 ? 1UL : 0; break;
                    case Op.Conv: Unsafe.Add(ref r0, c.D) = c.Type == IrType.Bool ? (Unsafe.Add(ref r0, c.A) != 0 ? 1UL : 0) : Norm(in c, Unsafe.Add(ref r0, c.A)); break;
                    case Op.Min: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) <= 0 ? Unsafe.Add(ref r0, c.A) : Unsafe.Add(ref r0, c.B); break;
                    case Op.Max: Unsafe.Add(ref r0, c.D) = Compare(Unsafe.Add(ref r0, c.A), Unsafe.Add(ref r0, c.B), c.Signed) >= 0 ? Unsafe.Add(ref r0, c.A) : Unsafe.Add(ref r0, c.B); break;
                    case Op.Hash32: Unsafe.Add(ref r0, c.D) = Hashing.Hash32(Unsafe.Add(ref r0, c.A)); break;
                    case Op.Hash64: Unsafe.Add(ref r0, c.D) = Hashing.Hash64(Unsafe.Add(ref r0, c.A)); break;
                    case Op.Crc32: Unsafe.Add(ref r0, c.D) = Hashing.Crc32(Unsafe.Add(ref r0, c.A), (int)c.Imm); break;
                    case Op.Now: Unsafe.Add(ref r0, c.D) = (ulong)now; break;
                    case Op.Trace: Trace((TraceSite)c.Extra!, regs); break;
                    case Op.Addr: Unsafe.Add(ref r0, c.D) = (uint)(c.Aux + (int)(uint)Unsafe.Add(ref r0, c.B)); break;
                    case Op.PtrAdd: Unsafe.Add(ref r0, c.D) = (uint)(Unsafe.Add(ref r0, c.A) + Unsafe.Add(ref r0, c.B)); break;
                    case Op.Bounds:
                        if (Unsafe.Add(ref r0, c.A) >= (ulong)c.Imm)
                            throw new PacketFault("bounds", $"index {(long)Unsafe.Add(ref r0, c.A)} outside an array of {c.Imm} in @{f.Ir.Name}");
                        break;
                    case Op.Load: Unsafe.Add(ref r0, c.D) = Load(Address(in c, regs), c.Type, f); break;
                    case Op.Store: Store(Address(in c, regs), c.Type, Unsafe.Add(ref r0, c.C), f); break;
                    case Op.Copy:
                    {
                        int dst = (c.Aux >= 0 ? c.Aux : (int)(uint)Unsafe.Add(ref r0, c.A)) + (int)(uint)Unsafe.Add(ref r0, c.B);
                        int src = (c.Aux2 >= 0 ? c.Aux2 : (int)(uint)Unsafe.Add(ref r0, c.C)) + (int)(uint)Unsafe.Add(ref r0, c.E);
                        memory.AsSpan(src, (int)c.Imm).CopyTo(memory.AsSpan(dst, (int)c.Imm));
                        profile?.Memory(src, false);
                        profile?.Memory(dst, true);
                        break;
                    }
                    case Op.Lock:
                    {
                        int at = Address(in c, regs);
                        // One packet runs at a time here, so a held lock is never released: waiting would hang.
                        if (memory[at] != 0) throw new PacketFault("deadlock", $"lock at address {at} is already held (in @{f.Ir.Name})");
                        memory[at] = 1;
                        heldLocks.Add(at);
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.Unlock:
                    {
                        int at = Address(in c, regs);
                        memory[at] = 0;
                        heldLocks.Remove(at);
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.TryLock:
                    {
                        int at = Address(in c, regs);
                        if (memory[at] == 0)
                        {
                            memory[at] = 1;
                            heldLocks.Add(at);
                            Unsafe.Add(ref r0, c.D) = 1;
                        }
                        else Unsafe.Add(ref r0, c.D) = 0;
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.PktOffset: Unsafe.Add(ref r0, c.D) = (ulong)(long)Packet.OffsetOf(Unsafe.Add(ref r0, c.A)); break;
                    case Op.PktGet:
                        Unsafe.Add(ref r0, c.D) = Pkt(Unsafe.Add(ref r0, c.A)).ReadBits((int)Unsafe.Add(ref r0, c.B), (int)c.Imm, (int)c.Imm2);
                        profile?.FieldAccess();
                        break;
                    case Op.PktSet:
                        Pkt(Unsafe.Add(ref r0, c.A)).WriteBits((int)Unsafe.Add(ref r0, c.B), (int)c.Imm, (int)c.Imm2, Unsafe.Add(ref r0, c.C));
                        profile?.FieldAccess();
                        break;
                    case Op.PktLength:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        Unsafe.Add(ref r0, c.D) = (ulong)Math.Max(0, p.Tail - Packet.OffsetOf(Unsafe.Add(ref r0, c.A)));
                        break;
                    }
                    case Op.PktByte:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        long at = (long)(int)Unsafe.Add(ref r0, c.B) + (uint)Unsafe.Add(ref r0, c.C);
                        p.Check(at, 1, "packet_byte");
                        Unsafe.Add(ref r0, c.D) = p.Buffer[p.Origin + at];
                        profile?.FieldAccess();
                        break;
                    }
                    case Op.PktSetByte:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        long at = (long)(int)Unsafe.Add(ref r0, c.B) + (uint)Unsafe.Add(ref r0, c.C);
                        p.Check(at, 1, "packet_set_byte");
                        p.Buffer[p.Origin + at] = (byte)Unsafe.Add(ref r0, c.E);
                        profile?.FieldAccess();
                        break;
                    }
                    case Op.PktDecap:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        long next = (long)Packet.OffsetOf(Unsafe.Add(ref r0, c.A)) + (uint)Unsafe.Add(ref r0, c.B);
                        if (next > p.Tail)
                            throw new PacketFault("truncated", $"packet_decap past the end: header of {(uint)Unsafe.Add(ref r0, c.B)} bytes at {Packet.OffsetOf(Unsafe.Add(ref r0, c.A))}, packet ends at {p.Tail}");
                        Unsafe.Add(ref r0, c.D) = Packet.Handle(p.Id, (int)next);
                        break;
                    }
                    case Op.PktEncap:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        int at = Packet.OffsetOf(Unsafe.Add(ref r0, c.A)), front = at - (int)c.Imm;
                        p.GrowFront(front);
                        p.Buffer.AsSpan(p.Origin + front, (int)c.Imm).Clear();
                        Unsafe.Add(ref r0, c.D) = Packet.Handle(p.Id, front);
                        break;
                    }
                    case Op.PktCopy:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        var copy = MakePacket(p.From(Packet.OffsetOf(Unsafe.Add(ref r0, c.A))), p.TimestampNs);
                        p.Meta.CopyTo(copy.Meta, 0);
                        Unsafe.Add(ref r0, c.D) = Packet.Handle(copy.Id, 0);
                        break;
                    }
                    case Op.PktCreate:
                    {
                        ulong n = (uint)Unsafe.Add(ref r0, c.A);
                        if (n > Packet.MaxLength) throw new PacketFault("packet_too_large", $"packet_create of {n} bytes (limit {Packet.MaxLength})");
                        var made = MakePacket(new byte[n], now);
                        if (inPortField >= 0) made.Meta[inPortField] = 255;
                        Unsafe.Add(ref r0, c.D) = Packet.Handle(made.Id, 0);
                        break;
                    }
                    case Op.PktDrop:
                        Release(Pkt(Unsafe.Add(ref r0, c.A)), "program");
                        break;
                    case Op.PktTrim:
                    {
                        var p = Pkt(Unsafe.Add(ref r0, c.A));
                        long n = (uint)Unsafe.Add(ref r0, c.B);
                        if (p.Tail - n < Math.Max(p.Head, Packet.OffsetOf(Unsafe.Add(ref r0, c.A))))
                            throw new PacketFault("truncated", $"packet_trim of {n} bytes from a packet of {p.Tail - Packet.OffsetOf(Unsafe.Add(ref r0, c.A))}");
                        p.Tail -= (int)n;
                        break;
                    }
                    case Op.PktExtend: Pkt(Unsafe.Add(ref r0, c.A)).GrowBack((uint)Unsafe.Add(ref r0, c.B)); break;
                    case Op.MetaGet: Unsafe.Add(ref r0, c.D) = Pkt(Unsafe.Add(ref r0, c.A)).Meta[c.Aux]; break;
                    case Op.MetaSet: Pkt(Unsafe.Add(ref r0, c.A)).Meta[c.Aux] = c.Type == IrType.Bool ? (Unsafe.Add(ref r0, c.B) != 0 ? 1UL : 0) : Norm(in c, Unsafe.Add(ref r0, c.B)); break;
                    case Op.Put: Put(c.Aux, Unsafe.Add(ref r0, c.A)); break;
                    case Op.Call:
                    {
                        var site = (CallSite)c.Extra!;
                        var callee = site.Callee;
                        for (int i = 0; i < site.Args.Length; i++) callee.Regs[callee.ParamRegs[i]] = Unsafe.Add(ref r0, site.Args[i]);
                        ulong r = Execute(callee);
                        if (c.D >= 0) Unsafe.Add(ref r0, c.D) = r;
                        break;
                    }
                    case Op.Jmp:
                        pc = Branch(f, c.Aux, (int)c.Imm);
                        break;
                    case Op.Br:
                        pc = Unsafe.Add(ref r0, c.A) != 0 ? Branch(f, c.Aux, (int)c.Imm) : Branch(f, c.Aux2, (int)c.Imm2);
                        break;
                    case Op.Switch:
                        pc = ((SwitchTable)c.Extra!).Cases.TryGetValue(Unsafe.Add(ref r0, c.A), out var target)
                            ? Branch(f, target.Pc, target.Block)
                            : Branch(f, c.Aux, (int)c.Imm);
                        break;
                    case Op.Ret:
                        f.Active = false;
                        return c.A >= 0 ? Unsafe.Add(ref r0, c.A) : 0;
                    case Op.Unreachable:
                        throw new InvalidOperationException($"control reached 'unreachable' in @{f.Ir.Name}");
                    default:
                        throw new InvalidOperationException($"the interpreter does not execute '{c.Op.Info().Name}'");
                }
            }
        }
    }

    private int Branch(CompiledFunction f, int pc, int block)
    {
        if (--steps < 0) throw new PacketFault("step_limit", $"more than {stepLimit} branches in one invocation (in @{f.Ir.Name}): an endless loop?");
        profile?.Block(f, block);
        return pc;
    }

    private static int Compare(ulong a, ulong b, bool signed) => signed ? ((long)a).CompareTo((long)b) : a.CompareTo(b);

    /// <summary>Brings a 64-bit result into the op's type (truncate, then sign- or zero-extend) with the shift prepared at translation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Norm(in Code c, ulong v) => c.Signed ? (ulong)((long)(v << c.Shift) >> c.Shift) : (v << c.Shift) >> c.Shift;

    private static ulong Divide(ulong a, ulong b, IrType t, bool remainder)
    {
        if (b == 0) throw new PacketFault("div_by_zero", remainder ? "remainder by zero" : "division by zero");
        if (t.IsSigned())
        {
            long x = (long)a, y = (long)b;
            // long.MinValue / -1 overflows in .NET; in Baker it wraps.
            if (y == -1) return t.Normalize(remainder ? 0 : (ulong)(0 - x));
            return t.Normalize((ulong)(remainder ? x % y : x / y));
        }
        return remainder ? a % b : a / b;
    }

    private int Address(in Code c, ulong[] regs) => (c.Aux >= 0 ? c.Aux : (int)(uint)regs[c.A]) + (int)(uint)regs[c.B];

    private ulong Load(int at, IrType t, CompiledFunction f)
    {
        CheckAddress(at, t, f);
        profile?.Memory(at, false);
        var m = memory.AsSpan(at);
        return t switch
        {
            // A byte other than 0 or 1 read as a bool (IR that stores a u8 and loads a bool) is still a normalised bool.
            IrType.Bool => m[0] != 0 ? 1UL : 0,
            IrType.U8 => m[0],
            IrType.I8 => (ulong)(long)(sbyte)m[0],
            IrType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(m),
            IrType.I16 => (ulong)(long)BinaryPrimitives.ReadInt16LittleEndian(m),
            IrType.U32 or IrType.Ptr => BinaryPrimitives.ReadUInt32LittleEndian(m),
            IrType.I32 => (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(m),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(m),
        };
    }

    private void Store(int at, IrType t, ulong v, CompiledFunction? f = null)
    {
        if (f is not null) { CheckAddress(at, t, f); profile?.Memory(at, true); }
        var m = memory.AsSpan(at);
        switch (t)
        {
            case IrType.Bool or IrType.U8 or IrType.I8: m[0] = (byte)v; break;
            case IrType.U16 or IrType.I16: BinaryPrimitives.WriteUInt16LittleEndian(m, (ushort)v); break;
            case IrType.U32 or IrType.I32 or IrType.Ptr: BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)v); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(m, v); break;
        }
    }

    private void CheckAddress(int at, IrType t, CompiledFunction f)
    {
        // Lowering bounds-checks every index, so this only fires on IR that was written or rewritten wrongly.
        if (at < 16 || at + (t == IrType.Ptr ? 4 : t.Bytes()) > memory.Length)
            throw new InvalidOperationException($"memory access at address {at} outside every object in @{f.Ir.Name}");
    }
}
