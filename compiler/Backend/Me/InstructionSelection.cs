using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

/// <summary>An IR construct the microengine back end cannot translate (yet): reported as BK5201 at the instruction.</summary>
public sealed class MeUnsupportedException(string what, SourceLocation? at) : Exception(what)
{
    public SourceLocation? At { get; } = at;
}

/// <summary>
/// Instruction selection: one IR function to machine IR over virtual registers.
///
/// Values: a scalar of up to 32 bits (and bool) is one 32-bit register holding the value normalised as
/// the IR does it (zero-extended when unsigned, sign-extended when signed, bool 0 or 1), so every 32-bit
/// ALU operation and comparison works unchanged and only results that can leave the type's range are
/// normalised again. A 64-bit value is a pair of registers (low word, high word) combined with carries.
/// The ME has no multiplier or divider: multiplication is a shift-and-add loop, division and remainder a
/// restoring division loop. Faults (division by zero, unreachable) branch to <c>__fault_REASON</c>, a label
/// the enclosing program provides (the dispatch loop drops the packet and counts the reason).
///
/// Calling convention: the first eight argument words in a12, b12, a13, b13, a11, b11, a10, b10 (one word each, a
/// 64-bit value takes two), the words past them at the start of the callee's slot frame in SRAM (the caller
/// writes them there with one reference per <see cref="StackArgChunk"/> words, the callee reads them back on
/// entry), the return value in a12 (low) and b12 (high), the return address in a14 (<c>bal</c>/<c>rtn</c>). All other
/// registers are caller-saved, but the program is whole: register allocation keeps a value live across a call
/// in a register the callee never writes, transitively, and spills it only when there is none. b14 holds the
/// context's local-memory stack base for the whole thread; a15 and b15 are reload temporaries.
/// </summary>
public sealed partial class InstructionSelection
{
    public static readonly string[] ArgRegs = ["a12", "b12", "a13", "b13", "a11", "b11", "a10", "b10"];
    /// <summary>
    /// Argument words past <see cref="ArgRegs"/> moved per SRAM reference, through $0..$14. Not 16: $15 is the
    /// spill code's (RegisterAllocation), which runs between the moves, so no argument word shares its register.
    /// </summary>
    public const int StackArgChunk = 15;
    public const string RetLo = "a12", RetHi = "b12", RetAddr = "a14", StackBase = "b14";

    private readonly IrFunction _f;
    private readonly MFunction _m;
    private readonly Dictionary<Register, VReg[]> _regs = [];
    private readonly Dictionary<Block, string> _labels = [];
    private readonly Dictionary<StorageObject, int> _slotOffsets = [];
    /// <summary>Registers that hold <c>pkt.hoff</c> of a handle register wherever they are read (<see cref="OwnOffsets"/>).</summary>
    private readonly Dictionary<Register, Register> _ownOffsets;
    private MBlock _cur;
    private int _internal;
    private SourceLocation? _at;

    private InstructionSelection(IrFunction f, string scope)
    {
        _f = f;
        _m = new MFunction(f.Name, Label(f), scope);
        _ownOffsets = OwnOffsets(f);
        _cur = new MBlock(_m.Label);
        _m.Blocks.Add(_cur);
    }

    /// <summary>
    /// The registers o with <c>o = pkt.hoff h</c> that hold h's offset wherever they are read. IR registers are
    /// not SSA, so: o has that one definition, and h is never written after it while o may still be read: h is
    /// written nowhere (a parameter), or once, earlier in o's block with no read of o between (so every time h
    /// changes, o is recomputed from it before anything reads o).
    /// </summary>
    private static Dictionary<Register, Register> OwnOffsets(IrFunction f)
    {
        var defs = new Dictionary<Register, int>();
        foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
            if (i.Dest is { } d) defs[d] = defs.GetValueOrDefault(d) + 1;
        var own = new Dictionary<Register, Register>();
        foreach (var b in f.Blocks)
            for (var k = 0; k < b.Instructions.Count; k++)
            {
                var i = b.Instructions[k];
                if (i.Op != Op.PktOffset || i.Dest is not { } o || defs[o] != 1 || i.Operands[0] is not Register h) continue;
                var hDefs = defs.GetValueOrDefault(h);
                if (hDefs == 0 && f.Params.Contains(h)) { own[o] = h; continue; }
                if (hDefs != 1) continue;
                var at = b.Instructions.FindLastIndex(k, x => x.Dest == h);
                if (at >= 0 && !b.Instructions.Skip(at + 1).Take(k - at - 1).Any(x => x.Operands.Contains(o))) own[o] = h;
            }
        return own;
    }

    /// <summary>The assembly label of a function's entry.</summary>
    public static string Label(IrFunction f) => "f_" + new string(f.Name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    /// <param name="scope">The program's <see cref="MFunction.Scope"/>.</param>
    public static MFunction Select(IrFunction f, string scope = "")
    {
        var s = new InstructionSelection(f, scope);
        s.Run();
        return s._m;
    }

    private void Run()
    {
        for (var i = 0; i < _f.Blocks.Count; i++) _labels[_f.Blocks[i]] = $"{_m.Label}_b{i}";
        // A function that calls keeps its return address in a register of its own, which allocation keeps out of
        // its callees' way like any value live across calls (or spills to the frame when there is none).
        if (_f.Blocks.Any(b => b.Instructions.Any(i => i.Op == Op.Call)))
        {
            _m.ReturnAddress = _m.NewReg();
            Emit(Mov(_m.ReturnAddress, MOp.T(RetAddr)));
        }
        // Parameters arrive in the argument registers, the words past the eighth at the start of the slot frame.
        var stackWords = new List<VReg>();
        var word = 0;
        foreach (var r in _f.Params.SelectMany(Regs))
        {
            if (word < ArgRegs.Length) Emit(Mov(r, MOp.T(ArgRegs[word])));
            else stackWords.Add(r);
            word++;
        }
        _m.StackArgWords = stackWords.Count;
        var argBytes = StackArgBytes(stackWords.Count);
        for (var w0 = 0; w0 < stackWords.Count; w0 += StackArgChunk)
        {
            var n = Math.Min(StackArgChunk, stackWords.Count - w0);
            Emit(SlotFrameRef("read", SlotSymbol(_m), 4 * w0, n));
            for (var k = 0; k < n; k++) Emit(Mov(stackWords[w0 + k], MOp.T("$" + k)));
        }
        // Frame slots start at zero on every entry (the interpreter's rule, so every target computes the same).
        LayoutSlots(argBytes);
        if (_m.SlotBytes > argBytes)
        {
            var at = _m.NewReg();
            Emit(new MInstr("alu", [MOp.R(at), MOp.T("*l$index1[0]"), MOp.T("+"), MOp.T($"{SlotSymbol(_m)}+{argBytes}")], [0], []));
            CallRuntime("__mem_zero", MOp.R(at), MOp.I(_m.SlotBytes - argBytes));
        }
        for (var i = 0; i < _f.Blocks.Count; i++)
        {
            StartBlock(_labels[_f.Blocks[i]]);
            var next = i + 1 < _f.Blocks.Count ? _f.Blocks[i + 1] : null;
            var list = _f.Blocks[i].Instructions;
            for (var k = 0; k < list.Count; k++)
            {
                _at = list[k].Location;
                if (IsSharedUpdate(list, k))
                {
                    SharedUpdate(list[k], list[k + 1], list[k + 2], next);
                    k += 2;
                }
                else Select(list[k], next);
            }
        }
    }

    // ------------------------------------------------------------------ values

    private static bool Wide(IrType t) => t is IrType.U64 or IrType.I64;

    private VReg[] Regs(Register r)
    {
        if (_regs.TryGetValue(r, out var v)) return v;
        if (r.Type == IrType.Void) throw Unsupported("values of type void");
        v = Wide(r.Type) ? [_m.NewReg(), _m.NewReg()] : [_m.NewReg()];
        _regs[r] = v;
        return v;
    }

    /// <summary>Word <paramref name="w"/> (0 low, 1 high) of a value as an operand; a narrow value's high word is its sign or zero extension.</summary>
    private MOp Word(Value v, int w)
    {
        if (v is Constant c) return MOp.I(w == 0 ? (uint)c.Bits : (uint)(c.Bits >> 32));
        var regs = Regs((Register)v);
        if (w < regs.Length) return MOp.R(regs[w]);
        if (!v.Type.IsSigned()) return MOp.I(0);
        var hi = _m.NewReg();
        Emit(AluShf(hi, MOp.None, "B", MOp.R(regs[0]), ">>>31"));
        return MOp.R(hi);
    }

    /// <summary>A value as a register operand (constants are loaded with immed).</summary>
    private VReg InReg(Value v, int w = 0)
    {
        var op = Word(v, w);
        return op.Kind == MOpKind.Reg ? op.Reg! : ImmReg(op.Value);
    }

    private Exception Unsupported(string what) => new MeUnsupportedException($"the microengine back end does not support {what} yet", _at);

    // ------------------------------------------------------------------ emission

    private void Emit(MInstr i) => _cur.Instrs.Add(i);

    /// <summary>A label starts a block; the previous block falls through into it.</summary>
    private void StartBlock(string label)
    {
        _cur = new MBlock(label);
        _m.Blocks.Add(_cur);
    }

    private string NewLabel() => $"{_m.Label}_L{_internal++}";

    private static MInstr Alu(VReg? d, MOp a, string op, MOp b) =>
        TwoSources("alu", [d is null ? MOp.None : MOp.R(d), a, MOp.T(op), b], d is null ? [] : [0], 1, 3);

    private static MInstr AluShf(VReg? d, MOp a, string op, MOp b, string shift) =>
        TwoSources("alu_shf", [d is null ? MOp.None : MOp.R(d), a, MOp.T(op), b, MOp.T(shift)], d is null ? [] : [0], 1, 3);

    /// <summary>An instruction reading operands <paramref name="a"/> and <paramref name="b"/> in one cycle: those that are registers are its uses, and when both are, the pair the A/B rule constrains.</summary>
    private static MInstr TwoSources(string mnemonic, MOp[] ops, int[] defs, int a, int b, string? suffix = null)
    {
        int[] uses = [.. new[] { a, b }.Where(k => ops[k].Kind == MOpKind.Reg)];
        return new MInstr(mnemonic, ops, defs, uses) { TwoPorts = uses.Length == 2 ? (a, b) : null, Suffix = suffix };
    }

    private static MInstr Immed(VReg d, long v) => new("immed", [MOp.R(d), MOp.I((uint)v)], [0], []);

    /// <summary>d = src: immed for a constant, else alu B.</summary>
    private static MInstr Mov(VReg d, MOp src) => src.Kind == MOpKind.Imm ? Immed(d, src.Value) : Alu(d, MOp.None, "B", src);

    /// <summary>A physical register loaded from a value word (arguments, return values).</summary>
    private static MInstr MovToPhys(string phys, MOp src) => src.Kind == MOpKind.Imm
        ? new MInstr("immed", [MOp.T(phys), MOp.I((uint)src.Value)], [], [])
        : new MInstr("alu", [MOp.T(phys), MOp.None, MOp.T("B"), src], [], [3]);

    private void Branch(string cond, string target)
    {
        Emit(new MInstr(cond, [MOp.L(target)], [], []) { Target = target, EndsFlow = cond == "br" });
        StartBlock(NewLabel());
    }

    private void Jump(string target) => Branch("br", target);

    private void BitBranch(bool set, VReg r, int bit, string target)
    {
        Emit(new MInstr(set ? "br_bset" : "br_bclr", [MOp.R(r), MOp.I(bit), MOp.L(target)], [], [0]) { Target = target });
        StartBlock(NewLabel());
    }

    /// <summary>Bring a 32-bit result back into its type's range (zero- or sign-extend from the type's width).</summary>
    private void Normalize(VReg d, IrType t)
    {
        switch (t)
        {
            case IrType.U8: Emit(Alu(d, MOp.R(d), "AND", MOp.I(0xff))); break;
            case IrType.U16: Emit(Alu(d, MOp.R(d), "AND", MOp.I(0xffff))); break;
            case IrType.I8:
                Emit(AluShf(d, MOp.None, "B", MOp.R(d), "<<24"));
                Emit(AluShf(d, MOp.None, "B", MOp.R(d), ">>>24"));
                break;
            case IrType.I16:
                Emit(AluShf(d, MOp.None, "B", MOp.R(d), "<<16"));
                Emit(AluShf(d, MOp.None, "B", MOp.R(d), ">>>16"));
                break;
            case IrType.Bool:
                Emit(Alu(d, MOp.R(d), "AND", MOp.I(1)));
                break;
        }
    }

    // ------------------------------------------------------------------ instructions

    private void Select(Instruction ins, Block? next)
    {
        switch (ins.Op)
        {
            case Op.Mov:
                {
                    var d = Regs(ins.Dest!);
                    for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], Word(ins.V(0), w)));
                    break;
                }
            case Op.Add: AddSub(ins, "+", "+carry"); break;
            case Op.Sub: AddSub(ins, "-", "-carry"); break;
            case Op.And: Logic(ins, "AND"); break;
            case Op.Or: Logic(ins, "OR"); break;
            case Op.Xor: Logic(ins, "XOR"); break;
            case Op.Not:
                {
                    var d = Regs(ins.Dest!);
                    var t = ins.Dest!.Type;
                    if (t == IrType.Bool) { Emit(Alu(d[0], Word(ins.V(0), 0), "XOR", MOp.I(1))); break; }
                    for (var w = 0; w < d.Length; w++) Emit(Alu(d[w], MOp.None, "~B", Word(ins.V(0), w)));
                    if (!Wide(t)) Normalize(d[0], t);
                    break;
                }
            case Op.Neg:
                {
                    var d = Regs(ins.Dest!);
                    Emit(Alu(d[0], MOp.I(0), "-", Word(ins.V(0), 0)));
                    if (d.Length == 2) Emit(Alu(d[1], MOp.I(0), "-carry", Word(ins.V(0), 1)));
                    else Normalize(d[0], ins.Dest!.Type);
                    break;
                }
            case Op.Shl:
            case Op.Shr:
                Shift(ins);
                break;
            case Op.Eq: case Op.Ne: case Op.Lt: case Op.Le: case Op.Gt: case Op.Ge:
                {
                    var d = Regs(ins.Dest!)[0];
                    var yes = NewLabel();
                    Emit(Immed(d, 1));
                    CompareBranch(ins.Op, ins.V(0), ins.V(1), yes);
                    Emit(Immed(d, 0));
                    StartBlock(yes);
                    break;
                }
            case Op.Min:
            case Op.Max:
                {
                    var d = Regs(ins.Dest!);
                    var done = NewLabel();
                    for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], Word(ins.V(0), w)));
                    // Keep a when a <= b (min) or a >= b (max); otherwise take b.
                    CompareBranch(ins.Op == Op.Min ? Op.Le : Op.Ge, ins.V(0), ins.V(1), done);
                    for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], Word(ins.V(1), w)));
                    StartBlock(done);
                    break;
                }
            case Op.Conv: Conv(ins); break;
            case Op.Hash32: case Op.Hash64: case Op.Crc32: Hash(ins); break;
            case Op.Now:
                {
                    // Emulated time in ns: the trace epoch plus the cycles since (Clock.cs builds the routine for the machine's clock).
                    CallRuntime(Clock.NowRoutine);
                    var d = Regs(ins.Dest!);
                    Emit(Alu(d[0], MOp.None, "B", MOp.T(RetLo)));
                    Emit(Alu(d[1], MOp.None, "B", MOp.T(RetHi)));
                    break;
                }
            case Op.Trace: Trace(ins); break;
            case Op.Load: Load(ins); break;
            case Op.Store: Store(ins); break;
            case Op.Copy: Copy(ins); break;
            case Op.Addr: AddrOf(ins); break;
            case Op.PtrAdd:
                {
                    var (x, y) = Operands2(Word(ins.V(0), 0), Word(ins.V(1), 0));
                    Emit(Alu(Regs(ins.Dest!)[0], x, "+", y));
                    break;
                }
            case Op.Bounds: Bounds(ins); break;
            case Op.Lock: case Op.Unlock: case Op.TryLock: Lock(ins); break;
            case Op.PktOffset: case Op.PktGet: case Op.PktSet: case Op.PktByte: case Op.PktSetByte: case Op.PktLength:
            case Op.PktDecap: case Op.PktDrop: case Op.Put: case Op.MetaGet: case Op.MetaSet:
            case Op.PktEncap: case Op.PktCreate: case Op.PktCopy: case Op.PktTrim: case Op.PktExtend:
                Packet(ins);
                break;
            case Op.Mul: Mul(ins); break;
            case Op.Div:
            case Op.Rem:
                DivRem(ins);
                break;
            case Op.Jmp:
                {
                    var t = ((BlockRef)ins.Operands[0]).Target;
                    if (t != next) Jump(_labels[t]);
                    break;
                }
            case Op.Br:
                {
                    var c = Word(ins.V(0), 0);
                    var yes = ((BlockRef)ins.Operands[1]).Target;
                    var no = ((BlockRef)ins.Operands[2]).Target;
                    if (c.Kind == MOpKind.Imm)
                    {
                        var t = c.Value != 0 ? yes : no;
                        if (t != next) Jump(_labels[t]);
                        break;
                    }
                    BitBranch(true, c.Reg!, 0, _labels[yes]);
                    if (no != next) Jump(_labels[no]);
                    break;
                }
            case Op.Switch:
                {
                    var v = ins.V(0);
                    var wide = Wide(v.Type);
                    for (var k = 2; k + 1 < ins.Operands.Length; k += 2)
                    {
                        var key = (ulong)((IntImm)ins.Operands[k]).Value;
                        var target = _labels[((BlockRef)ins.Operands[k + 1]).Target];
                        if (!wide)
                        {
                            Emit(Alu(null, MOp.R(InReg(v)), "-", MOp.I((uint)key)));
                            Branch("br_eq", target);
                        }
                        else
                        {
                            var skip = NewLabel();
                            Emit(Alu(null, MOp.R(InReg(v, 1)), "-", MOp.I((uint)(key >> 32))));
                            Branch("br_ne", skip);
                            Emit(Alu(null, MOp.R(InReg(v, 0)), "-", MOp.I((uint)key)));
                            Branch("br_eq", target);
                            StartBlock(skip);
                        }
                    }
                    var dflt = ((BlockRef)ins.Operands[1]).Target;
                    if (dflt != next) Jump(_labels[dflt]);
                    break;
                }
            case Op.Ret:
                {
                    if (ins.Operands.Length > 0)
                    {
                        var v = ins.V(0);
                        Emit(MovToPhys(RetLo, Word(v, 0)));
                        if (Wide(_f.ReturnType)) Emit(MovToPhys(RetHi, Word(v, 1)));
                    }
                    Emit(_m.ReturnAddress is { } ra
                        ? new MInstr("rtn", [MOp.R(ra)], [], [0]) { EndsFlow = true, IsReturn = true }
                        : new MInstr("rtn", [MOp.T(RetAddr)], [], []) { EndsFlow = true, IsReturn = true });
                    StartBlock(NewLabel());
                    break;
                }
            case Op.Call:
                {
                    var callee = ((FunctionRef)ins.Operands[0]).Target;
                    var words = new List<MOp>();
                    for (var k = 1; k < ins.Operands.Length; k++)
                    {
                        var a = (Value)ins.Operands[k];
                        for (var w = 0; w < (Wide(a.Type) ? 2 : 1); w++) words.Add(Word(a, w));
                    }
                    // The words past the registers first: the references swap the context out, and nothing is in
                    // the argument registers yet that a long wait would hold.
                    for (var w0 = ArgRegs.Length; w0 < words.Count; w0 += StackArgChunk)
                    {
                        var n = Math.Min(StackArgChunk, words.Count - w0);
                        for (var k = 0; k < n; k++) Emit(MovToPhys("$" + k, words[w0 + k]));
                        Emit(SlotFrameRef("write", SlotSymbol(_m.Scope, Label(callee)), 4 * (w0 - ArgRegs.Length), n));
                    }
                    for (var k = 0; k < Math.Min(ArgRegs.Length, words.Count); k++) Emit(MovToPhys(ArgRegs[k], words[k]));
                    Emit(new MInstr("bal", [MOp.T(RetAddr), MOp.L(Label(callee))], [], []) { IsCall = true, Callee = callee });
                    StartBlock(NewLabel());
                    if (ins.Dest is { } dst)
                    {
                        var d = Regs(dst);
                        Emit(Alu(d[0], MOp.None, "B", MOp.T(RetLo)));
                        if (d.Length == 2) Emit(Alu(d[1], MOp.None, "B", MOp.T(RetHi)));
                    }
                    break;
                }
            case Op.Unreachable:
                Jump("__fault_internal_error");
                break;
            default:
                throw Unsupported($"'{ins.Info.Name}'");
        }
    }

    /// <summary>Bytes at the start of a slot frame that hold <paramref name="words"/> argument words (8-aligned: the slots after it are).</summary>
    public static int StackArgBytes(int words) => (4 * words + 7) & ~7;

    /// <summary>
    /// A read or write of <paramref name="n"/> words at <paramref name="offset"/> bytes into a slot frame, through
    /// $0..$n−1. The slot stack's base is word 0 of the context block (index 1), read as the address operand.
    /// </summary>
    private static MInstr SlotFrameRef(string cmd, string frame, int offset, int n) =>
        new("sram", [MOp.T(cmd), MOp.T("$0"), MOp.T("*l$index1[0]"), MOp.T($"{frame}+{offset}"), MOp.I(n)], [], []) { Suffix = "ctx_swap[1]" };

    private void AddSub(Instruction ins, string op, string carryOp)
    {
        var d = Regs(ins.Dest!);
        var (x0, y0) = Operands2(Word(ins.V(0), 0), Word(ins.V(1), 0));
        Emit(Alu(d[0], x0, op, y0));
        if (d.Length == 2)
        {
            var (x1, y1) = Operands2(Word(ins.V(0), 1), Word(ins.V(1), 1));
            Emit(Alu(d[1], x1, carryOp, y1));
        }
        else Normalize(d[0], ins.Dest!.Type);
    }

    private void Logic(Instruction ins, string op)
    {
        // Bitwise operations keep normalised operands normalised (the extension bits combine the same way).
        var d = Regs(ins.Dest!);
        for (var w = 0; w < d.Length; w++)
        {
            var (x, y) = Operands2(Word(ins.V(0), w), Word(ins.V(1), w));
            Emit(Alu(d[w], x, op, y));
        }
    }

    /// <summary>Two operands of an ALU instruction: two immediates cannot both be used, so load one.</summary>
    private (MOp, MOp) Operands2(MOp a, MOp b) => a.Kind == MOpKind.Imm && b.Kind == MOpKind.Imm ? (MOp.R(ImmReg(a.Value)), b) : (a, b);

    private VReg ImmReg(long v)
    {
        var r = _m.NewReg();
        Emit(Immed(r, v));
        return r;
    }

    /// <summary>Branch to <paramref name="target"/> when the comparison holds; fall through otherwise.</summary>
    private void CompareBranch(Op op, Value a, Value b, string target)
    {
        var signed = a.Type.IsSigned();
        if (Wide(a.Type))
        {
            if (op is Op.Eq or Op.Ne)
            {
                var t0 = _m.NewReg();
                var t1 = _m.NewReg();
                var (x0, y0) = Operands2(Word(a, 0), Word(b, 0));
                Emit(Alu(t0, x0, "XOR", y0));
                var (x1, y1) = Operands2(Word(a, 1), Word(b, 1));
                Emit(Alu(t1, x1, "XOR", y1));
                Emit(Alu(null, MOp.R(t0), "OR", MOp.R(t1)));
                Branch(op == Op.Eq ? "br_eq" : "br_ne", target);
                return;
            }
            // a < b and a >= b need only carry / sign-overflow of the full subtraction; > and <= swap the operands.
            var (l, r, holdsWhenLess) = op switch
            {
                Op.Lt => (a, b, true),
                Op.Ge => (a, b, false),
                Op.Gt => (b, a, true),
                _ => (b, a, false),
            };
            var (p0, q0) = Operands2(Word(l, 0), Word(r, 0));
            Emit(Alu(null, p0, "-", q0));
            var (p1, q1) = Operands2(Word(l, 1), Word(r, 1));
            Emit(Alu(null, p1, "-carry", q1));
            Branch(signed ? (holdsWhenLess ? "br_lt" : "br_ge") : (holdsWhenLess ? "br_lo" : "br_hs"), target);
            return;
        }
        var (x, y) = Operands2(Word(a, 0), Word(b, 0));
        Emit(Alu(null, x, "-", y));
        var cond = op switch
        {
            Op.Eq => "br_eq",
            Op.Ne => "br_ne",
            Op.Lt => signed ? "br_lt" : "br_lo",
            Op.Le => signed ? "br_le" : "br_ls",
            Op.Gt => signed ? "br_gt" : "br_hi",
            _ => signed ? "br_ge" : "br_hs",
        };
        Branch(cond, target);
    }

    private void Conv(Instruction ins)
    {
        var to = ins.Dest!.Type;
        var v = ins.V(0);
        var d = Regs(ins.Dest!);
        if (to == IrType.Bool)
        {
            // Nonzero (in all 64 bits) is 1.
            if (v is Constant k) { Emit(Immed(d[0], k.Bits != 0 ? 1 : 0)); return; }
            var yes = NewLabel();
            Emit(Immed(d[0], 1));
            if (Wide(v.Type)) Emit(Alu(null, Word(v, 0), "OR", Word(v, 1)));
            else Emit(Alu(null, MOp.None, "B", Word(v, 0)));
            Branch("br_ne", yes);
            Emit(Immed(d[0], 0));
            StartBlock(yes);
            return;
        }
        Emit(Mov(d[0], Word(v, 0)));
        if (Wide(to)) Emit(Mov(d[1], Word(v, 1)));
        else Normalize(d[0], to);
    }
}
