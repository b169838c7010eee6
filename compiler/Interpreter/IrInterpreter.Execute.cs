using System.Buffers.Binary;
using Baker.Compiler.IR;

namespace Baker.Compiler.Interpreter;

public sealed partial class IrInterpreter
{
    private readonly List<Packet?> packets = new();
    /// <summary>Packets made or received by the running invocation and not yet put or dropped.</summary>
    private readonly List<int> owned = new();
    private long steps;
    private long now;
    private readonly ProfileCounters? profile;

    private Packet Pkt(ulong handle)
    {
        int id = Packet.IdOf(handle);
        var p = (uint)id < (uint)packets.Count ? packets[id] : null;
        return p ?? throw new PacketFault("stale_handle", "a handle on a packet that was already put or dropped");
    }

    private ulong NewPacket(ReadOnlySpan<byte> data, long timestamp)
    {
        var p = new Packet(packets.Count, data, module.Metadata.Count, timestamp);
        packets.Add(p);
        owned.Add(p.Id);
        return Packet.Handle(p.Id, 0);
    }

    private ulong Execute(CompiledFunction f, ReadOnlySpan<ulong> args)
    {
        if (f.Active) throw new InvalidOperationException($"@{f.Ir.Name} is already running (recursion)");
        f.Active = true;
        try
        {
            var regs = f.Regs;
            for (int i = 0; i < args.Length; i++) regs[f.ParamRegs[i]] = args[i];
            if (f.SlotSize > 0) memory.AsSpan(f.SlotBase, f.SlotSize).Clear();
            profile?.Block(f, 0);
            var code = f.Code;
            int pc = 0;
            while (true)
            {
                ref Code c = ref code[pc++];
                switch (c.Op)
                {
                    case Op.Mov: regs[c.D] = regs[c.A]; break;
                    case Op.Add: regs[c.D] = c.Type.Normalize(regs[c.A] + regs[c.B]); break;
                    case Op.Sub: regs[c.D] = c.Type.Normalize(regs[c.A] - regs[c.B]); break;
                    case Op.Mul: regs[c.D] = c.Type.Normalize(regs[c.A] * regs[c.B]); break;
                    case Op.Div: regs[c.D] = Divide(regs[c.A], regs[c.B], c.Type, remainder: false); break;
                    case Op.Rem: regs[c.D] = Divide(regs[c.A], regs[c.B], c.Type, remainder: true); break;
                    case Op.And: regs[c.D] = regs[c.A] & regs[c.B]; break;
                    case Op.Or: regs[c.D] = regs[c.A] | regs[c.B]; break;
                    case Op.Xor: regs[c.D] = c.Type.Normalize(regs[c.A] ^ regs[c.B]); break;
                    case Op.Shl:
                    {
                        ulong n = regs[c.B];
                        regs[c.D] = n >= (ulong)c.Type.Bits() ? 0 : c.Type.Normalize(regs[c.A] << (int)n);
                        break;
                    }
                    case Op.Shr:
                    {
                        ulong n = regs[c.B], a = regs[c.A];
                        bool outOfRange = n >= (ulong)c.Type.Bits();
                        if (c.Type.IsSigned()) regs[c.D] = outOfRange ? ((long)a < 0 ? ulong.MaxValue : 0) : (ulong)((long)a >> (int)n);
                        else regs[c.D] = outOfRange ? 0 : a >> (int)n;
                        regs[c.D] = c.Type.Normalize(regs[c.D]);
                        break;
                    }
                    case Op.Neg: regs[c.D] = c.Type.Normalize(0 - regs[c.A]); break;
                    case Op.Not: regs[c.D] = c.Type == IrType.Bool ? regs[c.A] ^ 1 : c.Type.Normalize(~regs[c.A]); break;
                    case Op.Eq: regs[c.D] = regs[c.A] == regs[c.B] ? 1UL : 0; break;
                    case Op.Ne: regs[c.D] = regs[c.A] != regs[c.B] ? 1UL : 0; break;
                    case Op.Lt: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) < 0 ? 1UL : 0; break;
                    case Op.Le: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) <= 0 ? 1UL : 0; break;
                    case Op.Gt: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) > 0 ? 1UL : 0; break;
                    case Op.Ge: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) >= 0 ? 1UL : 0; break;
                    case Op.Conv: regs[c.D] = c.Type.Normalize(regs[c.A]); break;
                    case Op.Min: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) <= 0 ? regs[c.A] : regs[c.B]; break;
                    case Op.Max: regs[c.D] = Compare(regs[c.A], regs[c.B], c.Type) >= 0 ? regs[c.A] : regs[c.B]; break;
                    case Op.Hash32: regs[c.D] = Hashing.Hash32(regs[c.A]); break;
                    case Op.Hash64: regs[c.D] = Hashing.Hash64(regs[c.A]); break;
                    case Op.Crc32: regs[c.D] = Hashing.Crc32(regs[c.A], (int)c.Imm); break;
                    case Op.Now: regs[c.D] = (ulong)now; break;
                    case Op.Trace: Trace((TraceSite)c.Extra!, regs); break;
                    case Op.Addr: regs[c.D] = (uint)(c.Aux + (int)(uint)regs[c.B]); break;
                    case Op.PtrAdd: regs[c.D] = (uint)(regs[c.A] + regs[c.B]); break;
                    case Op.Bounds:
                        if (regs[c.A] >= (ulong)c.Imm)
                            throw new PacketFault("bounds", $"index {(long)regs[c.A]} outside an array of {c.Imm} in @{f.Ir.Name}");
                        break;
                    case Op.Load: regs[c.D] = Load(Address(in c, regs), c.Type, f); break;
                    case Op.Store: Store(Address(in c, regs), c.Type, regs[c.C], f); break;
                    case Op.Copy:
                    {
                        int dst = (c.Aux >= 0 ? c.Aux : (int)(uint)regs[c.A]) + (int)(uint)regs[c.B];
                        int src = (c.Aux2 >= 0 ? c.Aux2 : (int)(uint)regs[c.C]) + (int)(uint)regs[c.E];
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
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.Unlock:
                    {
                        int at = Address(in c, regs);
                        memory[at] = 0;
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.TryLock:
                    {
                        int at = Address(in c, regs);
                        regs[c.D] = memory[at] == 0 ? 1UL : 0;
                        memory[at] = 1;
                        profile?.Memory(at, true);
                        break;
                    }
                    case Op.PktOffset: regs[c.D] = (ulong)(long)Packet.OffsetOf(regs[c.A]); break;
                    case Op.PktGet:
                        regs[c.D] = Pkt(regs[c.A]).ReadBits((int)regs[c.B], (int)c.Imm, (int)c.Imm2);
                        profile?.FieldAccess();
                        break;
                    case Op.PktSet:
                        Pkt(regs[c.A]).WriteBits((int)regs[c.B], (int)c.Imm, (int)c.Imm2, regs[c.C]);
                        profile?.FieldAccess();
                        break;
                    case Op.PktLength:
                    {
                        var p = Pkt(regs[c.A]);
                        regs[c.D] = (ulong)Math.Max(0, p.Tail - Packet.OffsetOf(regs[c.A]));
                        break;
                    }
                    case Op.PktByte:
                    {
                        var p = Pkt(regs[c.A]);
                        long at = (long)(int)regs[c.B] + (uint)regs[c.C];
                        p.Check(at, 1, "packet_byte");
                        regs[c.D] = p.Buffer[p.Origin + at];
                        profile?.FieldAccess();
                        break;
                    }
                    case Op.PktSetByte:
                    {
                        var p = Pkt(regs[c.A]);
                        long at = (long)(int)regs[c.B] + (uint)regs[c.C];
                        p.Check(at, 1, "packet_set_byte");
                        p.Buffer[p.Origin + at] = (byte)regs[c.E];
                        profile?.FieldAccess();
                        break;
                    }
                    case Op.PktDecap:
                    {
                        var p = Pkt(regs[c.A]);
                        long next = (long)Packet.OffsetOf(regs[c.A]) + (uint)regs[c.B];
                        if (next > p.Tail)
                            throw new PacketFault("truncated", $"packet_decap past the end: header of {(uint)regs[c.B]} bytes at {Packet.OffsetOf(regs[c.A])}, packet ends at {p.Tail}");
                        regs[c.D] = Packet.Handle(p.Id, (int)next);
                        break;
                    }
                    case Op.PktEncap:
                    {
                        var p = Pkt(regs[c.A]);
                        int at = Packet.OffsetOf(regs[c.A]), front = at - (int)c.Imm;
                        p.GrowFront(front);
                        p.Buffer.AsSpan(p.Origin + front, (int)c.Imm).Clear();
                        regs[c.D] = Packet.Handle(p.Id, front);
                        break;
                    }
                    case Op.PktCopy:
                    {
                        var p = Pkt(regs[c.A]);
                        var h = NewPacket(p.From(Packet.OffsetOf(regs[c.A])), p.TimestampNs);
                        p.Meta.CopyTo(packets[^1]!.Meta, 0);
                        created++;
                        regs[c.D] = h;
                        break;
                    }
                    case Op.PktCreate:
                    {
                        ulong n = (uint)regs[c.A];
                        if (n > Packet.MaxLength) throw new PacketFault("packet_too_large", $"packet_create of {n} bytes (limit {Packet.MaxLength})");
                        var h = NewPacket(new byte[n], now);
                        if (inPortField >= 0) packets[^1]!.Meta[inPortField] = 255;
                        created++;
                        regs[c.D] = h;
                        break;
                    }
                    case Op.PktDrop:
                        Release(Pkt(regs[c.A]), "program");
                        break;
                    case Op.PktTrim:
                    {
                        var p = Pkt(regs[c.A]);
                        long n = (uint)regs[c.B];
                        if (p.Tail - n < Math.Max(p.Head, Packet.OffsetOf(regs[c.A])))
                            throw new PacketFault("truncated", $"packet_trim of {n} bytes from a packet of {p.Tail - Packet.OffsetOf(regs[c.A])}");
                        p.Tail -= (int)n;
                        break;
                    }
                    case Op.PktExtend: Pkt(regs[c.A]).GrowBack((uint)regs[c.B]); break;
                    case Op.MetaGet: regs[c.D] = Pkt(regs[c.A]).Meta[c.Aux]; break;
                    case Op.MetaSet: Pkt(regs[c.A]).Meta[c.Aux] = c.Type.Normalize(regs[c.B]); break;
                    case Op.Put: Put(c.Aux, regs[c.A]); break;
                    case Op.Call:
                    {
                        var site = (CallSite)c.Extra!;
                        Span<ulong> a = stackalloc ulong[site.Args.Length];
                        for (int i = 0; i < a.Length; i++) a[i] = regs[site.Args[i]];
                        ulong r = Execute(site.Callee, a);
                        if (c.D >= 0) regs[c.D] = r;
                        break;
                    }
                    case Op.Jmp:
                        pc = Branch(f, c.Aux, (int)c.Imm);
                        break;
                    case Op.Br:
                        pc = regs[c.A] != 0 ? Branch(f, c.Aux, (int)c.Imm) : Branch(f, c.Aux2, (int)c.Imm2);
                        break;
                    case Op.Switch:
                        pc = ((SwitchTable)c.Extra!).Cases.TryGetValue(regs[c.A], out var target)
                            ? Branch(f, target.Pc, target.Block)
                            : Branch(f, c.Aux, (int)c.Imm);
                        break;
                    case Op.Ret:
                        return c.A >= 0 ? regs[c.A] : 0;
                    case Op.Unreachable:
                        throw new InvalidOperationException($"control reached 'unreachable' in @{f.Ir.Name}");
                    default:
                        throw new InvalidOperationException($"the interpreter does not execute '{c.Op.Info().Name}'");
                }
            }
        }
        finally
        {
            f.Active = false;
        }
    }

    private int Branch(CompiledFunction f, int pc, int block)
    {
        if (--steps < 0) throw new PacketFault("step_limit", $"more than {options.StepLimit} branches in one invocation (in @{f.Ir.Name}): an endless loop?");
        profile?.Block(f, block);
        return pc;
    }

    private static int Compare(ulong a, ulong b, IrType t) => t.IsSigned() ? ((long)a).CompareTo((long)b) : a.CompareTo(b);

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
            IrType.Bool or IrType.U8 => m[0],
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
