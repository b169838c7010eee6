using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Instruction selection for packets and metadata.
//
// A pkt is the DRAM address of the handle's current header. Packet buffers are 2^BufferShift bytes,
// aligned, from BUF_BASE; a received frame starts PKT_HEADROOM bytes in (the packet's origin), leaving room
// for encapsulation. Each buffer has a 128-byte record in SRAM (REC_BASE + buffer index × 128): word 0 the
// packet's end (DRAM address one past its last byte), then 8 bytes per metadata field (low word first).
// Field accesses go through the runtime library (__pkt_read, __pkt_write): the 8 bytes at the field's
// first byte come back as a 64-bit window in a12 (first byte most significant) and b12, and the field is
// cut out with static shifts. No offset is known statically yet (a later pass resolves them), so every
// packet access costs at least one DRAM reference, the BASE level of the seeds; PacketAddress is the one
// place that computes where a field lives.
public sealed partial class InstructionSelection
{
    public const int BufferShift = 11;
    public const int RecordShift = 7;
    public const int MaxMetaFields = (1 << RecordShift) / 8 - 1;
    /// <summary>The output endpoint code that means "transmit" (<c>__pkt_put</c>); others are scratch ring ids or NnEndpoint.</summary>
    public const int TxEndpoint = 0xffff;
    /// <summary>The output code <c>__pkt_drop</c> passes to the shared tail of <c>__pkt_put</c>.</summary>
    public const int DropEndpoint = 0xfffe;
    /// <summary>The output code of a channel that is a next-neighbor ring (<c>__pkt_put</c> pushes onto the next ME's ring).</summary>
    public const int NnEndpoint = 0xfffd;
    /// <summary>Tries on an empty buffer free list before a new packet faults no_buffer (each try lets the other threads run).</summary>
    public const int AllocTries = 100_000;

    public static string EndpointSymbol(string instance, string endpoint) => "OUT_" + Sanitize(instance + "." + endpoint);

    /// <summary>The DRAM address of byte (header offset <paramref name="hoff"/> + <paramref name="extra"/>) of the handle's packet.</summary>
    private VReg PacketAddress(Value handle, Value hoff, MOp extra)
    {
        var a = _m.NewReg();
        // The usual case: hoff is the handle's own offset, (handle & 0x7ff) − PKT_HEADROOM, so the sum below is the
        // handle itself plus extra (modulo 2^32 as the ALU computes it): one step instead of three.
        if (hoff is Register o && handle is Register h && _ownOffsets.TryGetValue(o, out var of) && of == h)
        {
            Emit(Alu(a, MOp.R(InReg(handle)), "+", extra));
            return a;
        }
        Emit(Alu(a, MOp.R(InReg(handle)), "AND", MOp.I(~((1L << BufferShift) - 1) & 0xffffffff)));
        Emit(Alu(a, MOp.R(a), "+", hoff is Constant c ? MOp.I((uint)c.Bits) : MOp.R(InReg(hoff))));
        if (extra.Kind == MOpKind.Imm) Emit(Alu(a, MOp.R(a), "+", MOp.T($"PKT_HEADROOM+{extra.Value}")));
        else
        {
            Emit(Alu(a, MOp.R(a), "+", MOp.T("PKT_HEADROOM")));
            Emit(Alu(a, MOp.R(a), "+", extra));
        }
        return a;
    }

    /// <summary>The metadata field's word in the packet's record.</summary>
    private VReg MetaAddress(Value handle, IrMetaField f)
    {
        if (f.Index >= MaxMetaFields) throw Unsupported($"more than {MaxMetaFields} metadata fields");
        var r = _m.NewReg();
        Emit(Alu(r, MOp.R(InReg(handle)), "-", MOp.T("BUF_BASE")));
        Emit(AluShf(r, MOp.None, "B", MOp.R(r), ">>" + BufferShift));
        Emit(AluShf(r, MOp.T($"REC_BASE+{8 + 8 * f.Index}"), "+", MOp.R(r), "<<" + RecordShift));
        return r;
    }

    private void Packet(Instruction ins)
    {
        switch (ins.Op)
        {
            case Op.PktOffset:
                {
                    var d = Regs(ins.Dest!)[0];
                    Emit(Alu(d, MOp.R(InReg(ins.V(0))), "AND", MOp.I((1 << BufferShift) - 1)));
                    Emit(Alu(d, MOp.R(d), "-", MOp.T("PKT_HEADROOM")));
                    break;
                }
            case Op.PktGet:
                {
                    var bit = (int)((IntImm)ins.Operands[2]).Value;
                    var width = (int)((IntImm)ins.Operands[3]).Value;
                    var a = PacketAddress(ins.V(0), ins.V(1), MOp.I(bit >> 3));
                    if ((bit & 7) + width > 64) { GetNineBytes(Regs(ins.Dest!), a, bit & 7, width); break; }
                    ReadWindow(a, bit & 7, width);
                    ExtractField(Regs(ins.Dest!), bit & 7, width);
                    break;
                }
            case Op.PktSet:
                {
                    var bit = (int)((IntImm)ins.Operands[2]).Value;
                    var width = (int)((IntImm)ins.Operands[3]).Value;
                    var a = PacketAddress(ins.V(0), ins.V(1), MOp.I(bit >> 3));
                    if ((bit & 7) + width > 64) { SetNineBytes(a, ins.V(4), bit & 7, width); break; }
                    ReadWindow(a, bit & 7, width);
                    InsertField(a, InReg(ins.V(4), 0), width > 32 ? InReg(ins.V(4), 1) : null, bit & 7, width);
                    break;
                }
            case Op.PktByte:
                {
                    var a = PacketAddress(ins.V(0), ins.V(1), Word(ins.V(2), 0));
                    ReadWindow(a, 0, 8);
                    ExtractField(Regs(ins.Dest!), 0, 8);
                    break;
                }
            case Op.PktSetByte:
                {
                    var a = PacketAddress(ins.V(0), ins.V(1), Word(ins.V(2), 0));
                    ReadWindow(a, 0, 8);
                    InsertField(a, InReg(ins.V(3), 0), null, 0, 8);
                    break;
                }
            case Op.PktLength:
                {
                    var h = InReg(ins.V(0));
                    CallRuntime("__pkt_end", MOp.R(h));
                    var d = Regs(ins.Dest!)[0];
                    Emit(Alu(d, MOp.R(FromPhys(RetLo)), "-", MOp.R(h)));
                    break;
                }
            case Op.PktDecap:
                {
                    var h = InReg(ins.V(0));
                    var d = Regs(ins.Dest!)[0];
                    Emit(Alu(d, MOp.R(h), "+", Word(ins.V(1), 0)));
                    CallRuntime("__pkt_end", MOp.R(h));
                    Emit(Alu(null, MOp.R(FromPhys(RetLo)), "-", MOp.R(d)));
                    Branch("br_lo", "__fault_truncated");
                    break;
                }
            case Op.PktDrop:
                CallRuntime("__pkt_drop", MOp.R(InReg(ins.V(0))));
                break;
            case Op.PktEncap:
                {
                    // The new header goes in the headroom in front of the handle: zeroed, the bytes behind kept.
                    var h = InReg(ins.V(0));
                    var n = ((IntImm)ins.Operands[1]).Value;
                    var room = _m.NewReg();
                    Emit(Alu(room, MOp.R(h), "AND", MOp.T("BUF_MASK")));
                    Emit(Alu(null, MOp.R(room), "-", MOp.I(n)));
                    Branch("br_lo", "__fault_packet_too_large");
                    var d = Regs(ins.Dest!)[0];
                    Emit(Alu(d, MOp.R(h), "-", MOp.I(n)));
                    CallRuntime("__pkt_zero", MOp.R(d), MOp.I(n));
                    break;
                }
            case Op.PktCreate:
                {
                    var n = InReg(ins.V(0));
                    Emit(Alu(null, MOp.R(n), "-", MOp.T("MAX_CREATE+1")));
                    Branch("br_hs", "__fault_packet_too_large");
                    var d = Regs(ins.Dest!)[0];
                    NewPacket(d);
                    CallRuntime("__pkt_new_record", MOp.R(d), MOp.R(n));
                    CallRuntime("__pkt_zero", MOp.R(d), MOp.R(n));
                    break;
                }
            case Op.PktCopy:
                {
                    // A new buffer whose origin gets the bytes from the handle on, 8 at a time through the
                    // window of __pkt_read (the source may start at any byte), and a copy of the record.
                    var h = InReg(ins.V(0));
                    var d = Regs(ins.Dest!)[0];
                    NewPacket(d);
                    CallRuntime("__pkt_end", MOp.R(h));
                    var len = _m.NewReg();
                    Emit(Alu(len, MOp.R(FromPhys(RetLo)), "-", MOp.R(h)));
                    CallRuntime("__pkt_copy_record", MOp.R(d), MOp.R(len), MOp.R(h));
                    var k = ImmReg(0);
                    var loop = NewLabel();
                    var whole = NewLabel();
                    var done = NewLabel();
                    StartBlock(loop);
                    Emit(Alu(null, MOp.R(k), "-", MOp.R(len)));
                    Branch("br_hs", done);
                    var need = _m.NewReg();
                    Emit(Alu(need, MOp.R(len), "-", MOp.R(k)));
                    Emit(Alu(null, MOp.R(need), "-", MOp.I(8)));
                    Branch("br_lo", whole);
                    Emit(Immed(need, 8));
                    StartBlock(whole);
                    var from = _m.NewReg();
                    Emit(Alu(from, MOp.R(h), "+", MOp.R(k)));
                    CallRuntime("__pkt_read", MOp.R(from), MOp.R(need));
                    var to = _m.NewReg();
                    Emit(Alu(to, MOp.R(d), "+", MOp.R(k)));
                    CallRuntime("__pkt_store8", MOp.None, MOp.None, MOp.R(to));
                    Emit(Alu(k, MOp.R(k), "+", MOp.I(8)));
                    Jump(loop);
                    StartBlock(done);
                    break;
                }
            case Op.PktTrim:
                CallRuntime("__pkt_trim", MOp.R(InReg(ins.V(0))), Word(ins.V(1), 0));
                break;
            case Op.PktExtend:
                // __pkt_extend leaves the old end and the count where __pkt_zero takes them.
                CallRuntime("__pkt_extend", MOp.R(InReg(ins.V(0))), Word(ins.V(1), 0));
                CallRuntime("__pkt_zero");
                break;
            case Op.Put:
                {
                    var e = ((EndpointRef)ins.Operands[0]).Name;
                    CallRuntime("__pkt_put", MOp.R(InReg(ins.V(1))), MOp.T(EndpointSymbol(_f.Instance!, e)));
                    break;
                }
            case Op.MetaGet:
                {
                    var f = ((FieldRef)ins.Operands[1]).Field;
                    var r = MetaAddress(ins.V(0), f);
                    var d = Regs(ins.Dest!);
                    Sram("read", "$0", new Addr(MOp.R(r), null), d.Length);
                    for (var w = 0; w < d.Length; w++) Emit(Alu(d[w], MOp.None, "B", MOp.T("$" + w)));
                    break;
                }
            case Op.MetaSet:
                {
                    var f = ((FieldRef)ins.Operands[1]).Field;
                    var v = ins.V(2);
                    var r = MetaAddress(ins.V(0), f);
                    var words = Wide(f.Type) ? 2 : 1;
                    for (var w = 0; w < words; w++) Emit(MovToPhys("$" + w, Word(v, w)));
                    Sram("write", "$0", new Addr(MOp.R(r), null), words);
                    break;
                }
            default:
                throw Unsupported($"'{ins.Info.Name}'");
        }
    }

    /// <summary>d = the origin of a new buffer this thread owns (__pkt_alloc; its record is still to be written).</summary>
    private void NewPacket(VReg d)
    {
        CallRuntime("__pkt_alloc");
        Emit(Alu(d, MOp.R(FromPhys(RetLo)), "+", MOp.T("PKT_HEADROOM")));
    }

    /// <summary>A physical register's value in a fresh virtual register, so bank assignment can pair it with others.</summary>
    private VReg FromPhys(string phys)
    {
        var r = _m.NewReg();
        Emit(Alu(r, MOp.None, "B", MOp.T(phys)));
        return r;
    }

    /// <summary>The 8 packet bytes at <paramref name="a"/> into a12 (first byte most significant) and b12; faults truncated
    /// unless the <c>ceil((bit + width) / 8)</c> bytes the field touches are in the packet.</summary>
    private void ReadWindow(VReg a, int bit, int width) => CallRuntime("__pkt_read", MOp.R(a), MOp.I((bit + width + 7) / 8));

    // A field that starts at bit b (1..7) of its first byte and ends past the 8-byte window (b + width > 64, so
    // width > 56) touches nine bytes. It is two fields the window reaches: its high 64 - b bits at (a, b), and its
    // low b + width - 64 bits at the top of byte a + 8. That byte is read first, for 1 byte: the read faults
    // truncated unless all nine bytes are in the packet, before anything is written.
    //
    //     bits of the 9 bytes at a:   | b bits | high part: 64 - b bits  | low part: b + w - 64 | rest |
    //                                 0        b                         64                  b + w   72

    /// <summary>d (two words: the field is wider than 56 bits) = the nine-byte field at (a, bit): its high part shifted left over its low part.</summary>
    private void GetNineBytes(VReg[] d, VReg a, int bit, int width)
    {
        var lowBits = bit + width - 64;
        var next = _m.NewReg();
        Emit(Alu(next, MOp.R(a), "+", MOp.I(8)));
        ReadWindow(next, 0, lowBits);
        var low = _m.NewReg();
        Emit(AluShf(low, MOp.None, "B", MOp.T(RetLo), ">>" + (32 - lowBits)));
        var high = new[] { _m.NewReg(), _m.NewReg() };
        ReadWindow(a, bit, 64 - bit);
        ExtractField(high, bit, 64 - bit);
        // (high << lowBits) | low over two words (lowBits is 1..7); high holds 64 - bit bits, so the result fits the width.
        Emit(AluShf(d[1], MOp.None, "B", MOp.R(high[1]), "<<" + lowBits));
        Emit(AluShf(d[1], MOp.R(d[1]), "OR", MOp.R(high[0]), ">>" + (32 - lowBits)));
        Emit(AluShf(d[0], MOp.R(low), "OR", MOp.R(high[0]), "<<" + lowBits));
    }

    /// <summary>Writes the nine-byte field at (a, bit): the low part into byte a + 8 first (its read checks all nine bytes), then the high part.</summary>
    private void SetNineBytes(VReg a, Value v, int bit, int width)
    {
        var lowBits = bit + width - 64;
        var v0 = InReg(v, 0);
        var v1 = InReg(v, 1);
        var next = _m.NewReg();
        Emit(Alu(next, MOp.R(a), "+", MOp.I(8)));
        ReadWindow(next, 0, lowBits);
        InsertField(next, v0, null, 0, lowBits);
        // The high part is the value shifted right by lowBits (1..7), over two words.
        var h0 = _m.NewReg();
        var h1 = _m.NewReg();
        Emit(AluShf(h0, MOp.None, "B", MOp.R(v0), ">>" + lowBits));
        Emit(AluShf(h0, MOp.R(h0), "OR", MOp.R(v1), "<<" + (32 - lowBits)));
        Emit(AluShf(h1, MOp.None, "B", MOp.R(v1), ">>" + lowBits));
        ReadWindow(a, bit, 64 - bit);
        InsertField(a, h0, h1, bit, 64 - bit);
    }

    private void ExtractField(VReg[] d, int bit, int width)
    {
        if (bit + width <= 32)
        {
            var shift = 32 - bit - width;
            Emit(AluShf(d[0], MOp.None, "B", MOp.T(RetLo), ">>" + shift));
            if (width < 32) Emit(Alu(d[0], MOp.R(d[0]), "AND", MOp.I((1L << width) - 1)));
            if (d.Length == 2) Emit(Immed(d[1], 0));
            return;
        }
        // The field spans both words: the window shifted right by s < 32, then masked to the width.
        var s = 64 - bit - width;
        var lo = d[0];
        var hi = d.Length == 2 ? d[1] : _m.NewReg();
        if (s == 0)
        {
            Emit(Alu(lo, MOp.None, "B", MOp.T(RetHi)));
            Emit(Alu(hi, MOp.None, "B", MOp.T(RetLo)));
        }
        else
        {
            Emit(AluShf(lo, MOp.None, "B", MOp.T(RetHi), ">>" + s));
            Emit(AluShf(lo, MOp.R(lo), "OR", MOp.R(FromPhys(RetLo)), "<<" + (32 - s)));
            Emit(AluShf(hi, MOp.None, "B", MOp.T(RetLo), ">>" + s));
        }
        if (width < 32) Emit(Alu(lo, MOp.R(lo), "AND", MOp.I((1L << width) - 1)));
        else if (width < 64 && d.Length == 2) Emit(Alu(hi, MOp.R(hi), "AND", MOp.I((1L << (width - 32)) - 1)));
    }

    /// <summary>Replace the field in the window (a12, b12) with the value (low word <paramref name="v0"/>, high word
    /// <paramref name="v1"/> when the field is wider than 32 bits) and write the window back (__pkt_write).</summary>
    private void InsertField(VReg a, VReg v0, VReg? v1, int bit, int width)
    {
        // The new window goes to a13 (high) and b13 (low); the field's mask and shifted value are static.
        var pos = 64 - bit - width;
        var mask = (width == 64 ? ulong.MaxValue : (1UL << width) - 1) << pos;
        var hiV = _m.NewReg();
        var loV = _m.NewReg();
        // The value shifted to its place in the 64-bit window, one word at a time.
        if (pos >= 32)
        {
            Emit(AluShf(hiV, MOp.None, "B", MOp.R(v0), "<<" + (pos - 32)));
            Emit(Immed(loV, 0));
        }
        else if (pos == 0)
        {
            Emit(Mov(loV, MOp.R(v0)));
            if (v1 is null) Emit(Immed(hiV, 0)); else Emit(Mov(hiV, MOp.R(v1)));
        }
        else
        {
            Emit(AluShf(loV, MOp.None, "B", MOp.R(v0), "<<" + pos));
            Emit(AluShf(hiV, MOp.None, "B", MOp.R(v0), ">>" + (32 - pos)));
            if (v1 is not null) Emit(AluShf(hiV, MOp.R(hiV), "OR", MOp.R(v1), "<<" + pos));
        }
        foreach (var (w, val, m, dst) in new[] { (RetLo, hiV, (uint)(mask >> 32), "a13"), (RetHi, loV, (uint)mask, "b13") })
        {
            if (m == 0) { Emit(MovToPhys(dst, MOp.T(w))); continue; }
            var t = _m.NewReg();
            Emit(Alu(t, MOp.T(w), "AND~", MOp.I(m)));
            Emit(Alu(val, MOp.R(val), "AND", MOp.I(m)));
            Emit(Alu(t, MOp.R(t), "OR", MOp.R(val)));
            Emit(MovToPhys(dst, MOp.R(t)));
        }
        CallRuntime("__pkt_write", MOp.R(a));
    }
}
