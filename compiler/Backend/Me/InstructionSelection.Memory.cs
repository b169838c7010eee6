using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Instruction selection for storage objects: load, store, copy, addr, ptradd, bounds and locks.
//
// Every storage object lives in SRAM (a later pass chooses levels): globals and PPF state at addresses
// the program layout gives them (assembler constants OBJ_...), frame slots in the context's slot stack
// (its base is word 0 of the context block, *l$index1[0]; a function's slots start SLOTS_... bytes in).
// An object holds the interpreter's byte image of it (scalars little-endian) so that the control core,
// which runs init and control code on the interpreter, shares it byte for byte; SRAM words are
// big-endian, so a 32-bit access swaps bytes (two instructions). A ptr is the 32-bit SRAM byte address.
// Sub-word stores never rewrite the neighbouring bytes: they clear and set their own bits with SRAM's
// atomic clr and set, so threads updating adjacent bytes do not lose each other's writes.
public sealed partial class InstructionSelection
{
    /// <summary>Tries on a lock another thread holds before the thread gives up with a deadlock fault (each try is an SRAM round trip).</summary>
    public const int LockTries = 100_000;

    /// <summary>An SRAM byte address: a static expression or a register; <see cref="Lane"/> is the address mod 4 when known.</summary>
    private readonly record struct Addr(MOp Op, int? Lane)
    {
        /// <summary>The address as the (A, B) operands of a memory reference.</summary>
        public (MOp, MOp) Operands => Op.Kind == MOpKind.Reg ? (Op, MOp.I(0)) : (MOp.None, Op);
    }

    public static string ObjectSymbol(StorageObject o) => "OBJ_" + Sanitize(o.Name);
    public static string SlotSymbol(MFunction f) => SlotSymbol(f.Scope, f.Label);
    /// <summary>The slot frame's symbol of the function whose entry label is <paramref name="label"/> (a callee not selected yet), in program <paramref name="scope"/>.</summary>
    public static string SlotSymbol(string scope, string label) => "SLOTS_" + scope + label;
    private static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    /// <summary>Byte offsets of the function's slots in its slot frame (each aligned to 8, like the frame), from <paramref name="from"/> (past the stack arguments).</summary>
    private void LayoutSlots(int from)
    {
        var at = from;
        foreach (var s in _f.Slots)
        {
            _slotOffsets[s] = at;
            at += (s.Size + 7) & ~7;
        }
        _m.SlotBytes = at;
    }

    private Addr Address(Operand location, Value offset)
    {
        var k = offset is Constant c ? (int)(uint)c.Bits : 0;
        var dynamic = offset is Constant ? null : InReg(offset);
        MOp baseOp;
        int? lane;
        switch (location)
        {
            case ObjectRef { Target.Kind: StorageKind.Slot } s:
                {
                    // Slot frames and slots are 8-aligned, so the lane of a constant offset is known.
                    var r = _m.NewReg();
                    var imm = $"{SlotSymbol(_m)}+{_slotOffsets[s.Target] + k}";
                    Emit(new MInstr("alu", [MOp.R(r), MOp.T("*l$index1[0]"), MOp.T("+"), MOp.T(imm)], [0], []));
                    baseOp = MOp.R(r);
                    lane = (_slotOffsets[s.Target] + k) & 3;
                    break;
                }
            case ObjectRef o:
                baseOp = MOp.T($"{ObjectSymbol(o.Target)}+{k}");
                lane = k & 3;
                break;
            default:
                {
                    var p = InReg((Value)location);
                    if (k != 0)
                    {
                        var r = _m.NewReg();
                        Emit(Alu(r, MOp.R(p), "+", MOp.I((uint)k)));
                        p = r;
                    }
                    baseOp = MOp.R(p);
                    lane = null;
                    break;
                }
        }
        if (dynamic is null) return new Addr(baseOp, lane);
        var sum = _m.NewReg();
        Emit(baseOp.Kind == MOpKind.Reg ? Alu(sum, baseOp, "+", MOp.R(dynamic)) : Alu(sum, MOp.R(dynamic), "+", baseOp));
        return new Addr(MOp.R(sum), null);
    }

    /// <summary>The address in a register (for lane tests).</summary>
    private VReg AddrReg(Addr a)
    {
        if (a.Op.Kind == MOpKind.Reg) return a.Op.Reg!;
        var r = _m.NewReg();
        Emit(new MInstr("immed", [MOp.R(r), a.Op], [0], []));
        return r;
    }

    /// <summary>An SRAM reference <c>sram[cmd, xfer, A, B, count]</c>, by default waiting for it (signal 1).</summary>
    private void Sram(string cmd, string xfer, Addr a, int count, string suffix = "ctx_swap[1]")
    {
        var (x, y) = a.Operands;
        Emit(TwoSources("sram", [MOp.T(cmd), MOp.T(xfer), x, y, MOp.I(count)], [], 2, 3, suffix));
    }

    /// <summary>d = the bytes of a big-endian word in reverse order: <c>rotr8</c>, then bytes 2 and 0 from <c>rotl8</c>.</summary>
    private void ByteSwap(VReg d, MOp w)
    {
        Emit(AluShf(d, MOp.None, "B", w, ">>rot8"));
        Emit(LdField(d, "0101", w, "<<rot8"));
    }

    private static MInstr LdField(VReg d, string mask, MOp src, string shift)
    {
        var ops = new[] { MOp.R(d), MOp.T(mask), src, MOp.T(shift) };
        return new MInstr("ld_field", ops, [0], src.Kind == MOpKind.Reg ? [0, 2] : [0]) { TwoPorts = src.Kind == MOpKind.Reg ? (0, 2) : null };
    }

    private static int MemBytes(IrType t) => t == IrType.Ptr ? 4 : t.Bytes();

    private void Load(Instruction ins)
    {
        var t = ins.Dest!.Type;
        var d = Regs(ins.Dest!);
        var a = Address(ins.Operands[0], ins.V(1));
        switch (MemBytes(t))
        {
            case 8:
                Sram("read", "$0", a, 2);
                ByteSwap(d[0], MOp.T("$0"));
                ByteSwap(d[1], MOp.T("$1"));
                return;
            case 4:
                Sram("read", "$0", a, 1);
                ByteSwap(d[0], MOp.T("$0"));
                return;
        }
        var dynamicLane = a.Lane is null ? AddrReg(a) : null;
        Sram("read", "$0", a, 1);
        if (MemBytes(t) == 1)
        {
            if (a.Lane is { } lane) Emit(AluShf(d[0], MOp.I(0xff), "AND", MOp.T("$0"), ">>" + 8 * (3 - lane)));
            else
            {
                var w = LaneDown(dynamicLane!, 2);
                Emit(Alu(d[0], MOp.R(w), "AND", MOp.I(0xff)));
            }
        }
        else
        {
            // Little-endian halfword: the byte at the address is the low one.
            MOp w = MOp.T("$0");
            if (a.Lane is 0) { var x = _m.NewReg(); Emit(AluShf(x, MOp.None, "B", w, ">>16")); w = MOp.R(x); }
            else if (a.Lane is null) w = MOp.R(LaneDown(dynamicLane!, 1));
            var hi = _m.NewReg();
            Emit(AluShf(hi, MOp.I(0xff00), "AND", w, "<<8"));
            Emit(AluShf(d[0], MOp.I(0xff), "AND", w, ">>8"));
            Emit(Alu(d[0], MOp.R(d[0]), "OR", MOp.R(hi)));
        }
        if (t == IrType.Bool)
        {
            // Any nonzero byte reads as true.
            var zero = NewLabel();
            Emit(Alu(null, MOp.None, "B", MOp.R(d[0])));
            Branch("br_eq", zero);
            Emit(Immed(d[0], 1));
            StartBlock(zero);
        }
        else Normalize(d[0], t);
    }

    /// <summary>
    /// The word just read ($0) shifted right so the addressed byte (or halfword, <paramref name="bits"/> = 1)
    /// ends in the low bits: by 16 unless address bit 1 is set, then by 8 unless bit 0 is set.
    /// </summary>
    private VReg LaneDown(VReg addr, int bits)
    {
        var w = _m.NewReg();
        Emit(Alu(w, MOp.None, "B", MOp.T("$0")));
        for (var bit = 1; bit > 1 - bits; bit--)
        {
            var skip = NewLabel();
            BitBranch(true, addr, bit, skip);
            Emit(AluShf(w, MOp.None, "B", MOp.R(w), ">>" + (bit == 1 ? 16 : 8)));
            StartBlock(skip);
        }
        return w;
    }

    private void Store(Instruction ins)
    {
        var v = ins.V(2);
        var a = Address(ins.Operands[0], ins.V(1));
        switch (MemBytes(v.Type))
        {
            case 8:
                StoreWord("$0", Word(v, 0));
                StoreWord("$1", Word(v, 1));
                Sram("write", "$0", a, 2);
                return;
            case 4:
                StoreWord("$0", Word(v, 0));
                Sram("write", "$0", a, 1);
                return;
        }
        // A byte or halfword: clear its bits, then set the new ones (two atomic references, neighbours intact).
        var bytes = MemBytes(v.Type);
        var mask = _m.NewReg();
        var val = _m.NewReg();
        var x = InReg(v);
        Emit(Immed(mask, bytes == 1 ? 0xff : 0xffff));
        if (bytes == 1) Emit(Alu(val, MOp.R(x), "AND", MOp.I(0xff)));
        else
        {
            var hi = _m.NewReg();
            Emit(AluShf(hi, MOp.I(0xff00), "AND", MOp.R(x), "<<8"));
            Emit(AluShf(val, MOp.I(0xff), "AND", MOp.R(x), ">>8"));
            Emit(Alu(val, MOp.R(val), "OR", MOp.R(hi)));
        }
        if (a.Lane is { } lane)
        {
            var shift = 8 * (4 - bytes - lane);
            if (shift > 0)
            {
                Emit(AluShf(mask, MOp.None, "B", MOp.R(mask), "<<" + shift));
                Emit(AluShf(val, MOp.None, "B", MOp.R(val), "<<" + shift));
            }
        }
        else
        {
            var addr = AddrReg(a);
            for (var bit = 1; bit >= bytes - 1; bit--)
            {
                var skip = NewLabel();
                BitBranch(true, addr, bit, skip);
                var s = "<<" + (bit == 1 ? 16 : 8);
                Emit(AluShf(mask, MOp.None, "B", MOp.R(mask), s));
                Emit(AluShf(val, MOp.None, "B", MOp.R(val), s));
                StartBlock(skip);
            }
        }
        Emit(MovToPhys("$0", MOp.R(mask)));
        Emit(MovToPhys("$1", MOp.R(val)));
        Sram("clr", "$0", a, 1, "sig_done[2]");
        Sram("set", "$1", a, 1, "sig_done[1]");
        Emit(new MInstr("ctx_arb", [MOp.T("1"), MOp.T("2")], [], []));
    }

    /// <summary>A transfer-out register = a word in little-endian byte order.</summary>
    private void StoreWord(string xfer, MOp w)
    {
        if (w.Kind == MOpKind.Imm)
        {
            Emit(MovToPhys(xfer, MOp.I(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)w.Value))));
            return;
        }
        var t = _m.NewReg();
        ByteSwap(t, w);
        Emit(MovToPhys(xfer, MOp.R(t)));
    }

    private void Copy(Instruction ins)
    {
        var n = ((IntImm)ins.Operands[4]).Value;
        var dst = AddrReg(Address(ins.Operands[0], ins.V(1)));
        var src = AddrReg(Address(ins.Operands[2], ins.V(3)));
        CallRuntime("__mem_copy", MOp.R(dst), MOp.R(src), MOp.I(n));
    }

    /// <summary>
    /// Call a routine of the runtime library (RuntimeLibrary.uasm): arguments in a12, b12, a13, b13, the
    /// return address in b15. The routines touch only a12..b13, a15, b15 and transfer registers, so the
    /// caller's allocatable registers survive and nothing is spilled around the call.
    /// </summary>
    private void CallRuntime(string routine, params MOp[] args)
    {
        // MOp.None: the argument is already in its register (a previous routine left it there).
        for (var k = 0; k < args.Length; k++)
            if (args[k] != MOp.None) Emit(MovToPhys(ArgRegs[k], args[k]));
        Emit(new MInstr("bal", [MOp.T(RuntimeReturn), MOp.L(routine)], [], []));
    }

    public const string RuntimeReturn = "b15";

    private void AddrOf(Instruction ins)
    {
        var a = Address(ins.Operands[0], ins.V(1));
        Emit(Mov(Regs(ins.Dest!)[0], a.Op.Kind == MOpKind.Reg ? a.Op : MOp.R(AddrReg(a))));
    }

    private void Bounds(Instruction ins)
    {
        // Faults unless a, as an unsigned 64-bit number, is below n: a negative narrow value is huge.
        var v = ins.V(0);
        var n = ((IntImm)ins.Operands[1]).Value;
        if (Wide(v.Type))
        {
            Emit(Alu(null, MOp.None, "B", Word(v, 1)));
            Branch("br_ne", "__fault_bounds");
        }
        Emit(Alu(null, MOp.R(InReg(v)), "-", MOp.I((uint)n)));
        Branch("br_hs", "__fault_bounds");
    }

    /// <summary>
    /// lock, unlock, trylock: calls of __lock, __unlock and __trylock (RuntimeLibrary.uasm, "Locks"), which keep the
    /// list of the locks the invocation holds in the lock words (bits 23..0) and context block word 13. A lock is a
    /// 4-aligned word, as the front end lays out lock_t: the first byte is the lock proper, the other three hold the link.
    /// </summary>
    private void Lock(Instruction ins)
    {
        var a = Address(ins.Operands[0], ins.V(1));
        if (a.Lane is > 0) throw Unsupported("locks that do not start a 4-byte word (a lock_t is 4 bytes, 4-aligned)");
        // A pointer's lane is not known here: align it, so the lists hold the addresses their links give back.
        if (a.Op.Kind == MOpKind.Reg) Emit(new MInstr("alu", [MOp.T(ArgRegs[0]), a.Op, MOp.T("AND~"), MOp.I(3)], [], [1]));
        else Emit(MovToPhys(ArgRegs[0], a.Op));
        CallRuntime(ins.Op switch { Op.Lock => "__lock", Op.Unlock => "__unlock", _ => "__trylock" });
        if (ins.Op == Op.TryLock) Emit(Alu(Regs(ins.Dest!)[0], MOp.None, "B", MOp.T(RetLo)));
    }
}
