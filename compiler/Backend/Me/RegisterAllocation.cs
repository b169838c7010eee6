namespace Baker.Compiler.Backend.Me;

/// <summary>
/// Linear-scan register allocation per bank (Poletto and Sarkar), over the context-relative registers
/// a0..a9 and b0..b9 (a10..a15, b10..b15 are the calling convention's, see InstructionSelection).
///
/// Liveness is solved on the machine CFG; each register gets one interval from its first to its last
/// live point in layout order. A register live across calls takes a register none of those callees (nor
/// anything they call) writes, the lowest such: callees are allocated first (MeBackend) and their registers
/// known (<see cref="Clobbers"/>); with none left it is spilled. When a bank runs out, the interval ending
/// last (of those whose register the new one may take) is spilled. Each use of a spilled register
/// reloads it into a15/b15 (its bank's temporary) and each definition writes that temporary and stores it,
/// except where the instruction can read or write its local-memory word in place (<see cref="LmSource"/>).
///
/// A spilled register lives in a word of the function's local-memory frame (<c>*l$index0[k]</c>), at most
/// <see cref="LmFrameWords"/> words, the most that one index register reaches; its base is set on entry and again
/// after every call of a function that moves the index (<see cref="MovesIndex"/>). When more registers are spilled than that frame holds, those used least (uses and
/// definitions, ×8 per loop around them) go to the end of the function's slot frame in SRAM, reached from the
/// slot stack's base (<c>*l$index1[0]</c>): a reload or store there is an SRAM reference through $15 on signal
/// <see cref="SramSpillSignal"/> (a context swap of about 90 cycles, which the other contexts fill). Index 1 stays
/// on the context block, which the runtime library and the fault handlers use at any time; re-pointing index 0
/// instead would cost a CSR write and a 3-cycle wait per far access, and the local-memory stack (48 words per
/// context) is the scarcer resource.
/// </summary>
public static class RegisterAllocation
{
    public const int RegsPerBank = 10;
    /// <summary>Words of a frame reachable through <c>*l$index0[k]</c>: the local-memory part of every frame.</summary>
    public const int LmFrameWords = 16;
    /// <summary>The transfer register of spill code in SRAM: no selected code uses it (calls move stack arguments through $0..$14).</summary>
    public const string SramSpillXfer = "$15";
    /// <summary>The signal of spill code in SRAM; selected code and the runtime library use 1..3.</summary>
    public const int SramSpillSignal = 4;

    /// <param name="clobbers">For each function already allocated (the callees: MeBackend allocates callees first),
    /// the registers it and everything it calls may write (<see cref="Clobbers"/>); a callee missing here
    /// clobbers them all.</param>
    /// <param name="movesIndex">The functions already allocated that move local-memory index 0 (<see cref="MovesIndex"/>):
    /// after a call of any other, index 0 still points at the caller's frame. Null: every callee moves it.</param>
    public static void Run(MFunction f, IReadOnlyDictionary<IR.IrFunction, IReadOnlySet<string>>? clobbers = null,
        IReadOnlySet<IR.IrFunction>? movesIndex = null)
    {
        var (start, end, acrossCalls) = Intervals(f);

        // The registers a value may not take: those written by a call it is live across.
        var forbidden = new Dictionary<VReg, HashSet<string>>();
        foreach (var (r, calls) in acrossCalls)
        {
            var set = new HashSet<string>();
            foreach (var c in calls)
            {
                if (c.Callee is { } callee && clobbers is not null && clobbers.TryGetValue(callee, out var written)) set.UnionWith(written);
                else set.UnionWith(AllAllocatable);
            }
            forbidden[r] = set;
        }

        var spilled = new HashSet<VReg>();
        foreach (var bank in new[] { Bank.A, Bank.B })
        {
            string Name(int n) => (bank == Bank.A ? "a" : "b") + n;
            bool Allowed(VReg r, int n) => !forbidden.TryGetValue(r, out var no) || !no.Contains(Name(n));
            var free = new SortedSet<int>(Enumerable.Range(0, RegsPerBank));
            var active = new List<VReg>();
            var regs = f.Regs.Where(r => r.Bank == bank && start.ContainsKey(r)).OrderBy(r => start[r]).ThenBy(r => r.Id).ToList();
            var number = new Dictionary<VReg, int>();
            foreach (var r in regs)
            {
                foreach (var a in active.Where(a => end[a] < start[r]).ToList())
                {
                    active.Remove(a);
                    free.Add(number[a]);
                }
                // The lowest register that no call across this value writes: callees take the low ones first,
                // so a caller's values live across calls tend to sit above what its callees use.
                var pick = free.Where(n => Allowed(r, n)).Cast<int?>().FirstOrDefault();
                if (pick is { } p)
                {
                    free.Remove(p);
                    number[r] = p;
                    active.Add(r);
                    continue;
                }
                var victim = active.Where(a => Allowed(r, number[a])).MaxBy(a => end[a]);
                if (victim is not null && end[victim] > end[r])
                {
                    number[r] = number[victim];
                    active.Remove(victim);
                    active.Add(r);
                    spilled.Add(victim);
                }
                else spilled.Add(r);
            }
            foreach (var (r, n) in number)
                if (!spilled.Contains(r)) r.Phys = Name(n);
        }

        var slot = 0;
        var ordered = spilled.OrderBy(r => r.Id).ToList();
        var room = LmFrameWords;
        HashSet<VReg> inLm;
        if (ordered.Count <= room) inLm = [.. ordered];
        else
        {
            // The return address first: in SRAM, every return would wait for a round trip.
            var weights = Weights(f);
            inLm = [.. ordered.OrderByDescending(r => r == f.ReturnAddress).ThenByDescending(r => weights.GetValueOrDefault(r)).ThenBy(r => r.Id).Take(room)];
        }
        var sramWords = 0;
        foreach (var r in ordered)
        {
            if (inLm.Contains(r)) r.SpillSlot = slot++;
            else r.SramSlot = f.SlotBytes + 4 * sramWords++;
        }
        f.Spills = ordered.Count;
        f.SramSpills = sramWords;
        f.FrameWords = slot;
        f.SlotBytes = (f.SlotBytes + 4 * sramWords + 7) & ~7;
        Rewrite(f, i => movesIndex is null || i.Callee is not { } c || movesIndex.Contains(c));
    }

    /// <summary>
    /// How much each register is used: its uses and definitions, each counted 8^depth where depth is the number of
    /// loops around it (a branch back to an earlier block closes a loop over the blocks in between).
    /// </summary>
    private static Dictionary<VReg, long> Weights(MFunction f)
    {
        var index = f.Blocks.Select((b, i) => (b.Label, i)).ToDictionary(x => x.Label, x => x.i);
        var depth = new int[f.Blocks.Count];
        for (var bi = 0; bi < f.Blocks.Count; bi++)
            foreach (var i in f.Blocks[bi].Instrs)
                if (i.Target is { } t && index.TryGetValue(t, out var ti) && ti <= bi)
                    for (var k = ti; k <= bi; k++) depth[k]++;
        var weights = new Dictionary<VReg, long>();
        for (var bi = 0; bi < f.Blocks.Count; bi++)
        {
            var w = 1L << (3 * Math.Min(depth[bi], 6));
            foreach (var i in f.Blocks[bi].Instrs)
                foreach (var r in i.UseRegs.Concat(i.DefRegs))
                    weights[r] = weights.GetValueOrDefault(r) + w;
        }
        return weights;
    }

    /// <summary>
    /// Whether a call of <paramref name="f"/> leaves local-memory index 0 elsewhere: it points the index at its
    /// frame when it has one, and so may anything it calls (<paramref name="moving"/>: those of its callees that do).
    /// </summary>
    public static bool MovesIndex(MFunction f, IReadOnlySet<IR.IrFunction> moving) =>
        f.FrameWords > 0 || f.Blocks.Any(b => b.Instrs.Any(i => i.IsCall && (i.Callee is not { } c || moving.Contains(c))));

    private static readonly string[] AllAllocatable =
        [.. Enumerable.Range(0, RegsPerBank).SelectMany(n => new[] { "a" + n, "b" + n })];

    /// <summary>
    /// The allocatable registers a call of <paramref name="f"/> may change: those it writes (every allocated
    /// register is written somewhere: parameters are moved in, everything else defined) and those of its callees.
    /// The runtime library keeps to a10..b15 and the reload temporaries are no one's to keep, so neither counts.
    /// </summary>
    public static IReadOnlySet<string> Clobbers(MFunction f, IReadOnlyDictionary<IR.IrFunction, IReadOnlySet<string>> clobbers)
    {
        var set = new HashSet<string>(f.Regs.Where(r => r.Phys is not null).Select(r => r.Phys!));
        foreach (var i in f.Blocks.SelectMany(b => b.Instrs))
            if (i.IsCall)
            {
                if (i.Callee is { } c && clobbers.TryGetValue(c, out var written)) set.UnionWith(written);
                else set.UnionWith(AllAllocatable);
            }
        return set;
    }

    /// <summary>Live intervals in layout positions, and for each register live across calls, those calls.</summary>
    private static (Dictionary<VReg, int> Start, Dictionary<VReg, int> End, Dictionary<VReg, List<MInstr>> AcrossCalls) Intervals(MFunction f)
    {
        var n = f.Regs.Count;
        var index = f.Blocks.Select((b, i) => (b.Label, i)).ToDictionary(x => x.Label, x => x.i);
        var succ = new List<int>[f.Blocks.Count];
        var use = new BitSet[f.Blocks.Count];
        var def = new BitSet[f.Blocks.Count];
        for (var bi = 0; bi < f.Blocks.Count; bi++)
        {
            var b = f.Blocks[bi];
            succ[bi] = [];
            use[bi] = new BitSet(n);
            def[bi] = new BitSet(n);
            var falls = true;
            foreach (var i in b.Instrs)
            {
                foreach (var r in i.UseRegs) if (!def[bi][r.Id]) use[bi][r.Id] = true;
                foreach (var r in i.DefRegs) def[bi][r.Id] = true;
                if (i.Target is { } t && index.TryGetValue(t, out var ti)) succ[bi].Add(ti);
                if (i.EndsFlow) falls = false;
            }
            if (falls && bi + 1 < f.Blocks.Count) succ[bi].Add(bi + 1);
        }
        var liveIn = Enumerable.Range(0, f.Blocks.Count).Select(_ => new BitSet(n)).ToArray();
        var liveOut = Enumerable.Range(0, f.Blocks.Count).Select(_ => new BitSet(n)).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var bi = f.Blocks.Count - 1; bi >= 0; bi--)
            {
                var o = new BitSet(n);
                foreach (var s in succ[bi]) o.Or(liveIn[s]);
                var inn = o.Copy();
                inn.AndNot(def[bi]);
                inn.Or(use[bi]);
                if (!inn.SameAs(liveIn[bi]) || !o.SameAs(liveOut[bi]))
                {
                    liveIn[bi] = inn;
                    liveOut[bi] = o;
                    changed = true;
                }
            }
        }

        var start = new Dictionary<VReg, int>();
        var end = new Dictionary<VReg, int>();
        var across = new Dictionary<VReg, List<MInstr>>();
        void Touch(VReg r, int p)
        {
            if (!start.TryGetValue(r, out var s) || p < s) start[r] = p;
            if (!end.TryGetValue(r, out var e) || p > e) end[r] = p;
        }
        var pos = 0;
        for (var bi = 0; bi < f.Blocks.Count; bi++)
        {
            var b = f.Blocks[bi];
            var blockStart = pos;
            foreach (var r in liveIn[bi].Members()) Touch(f.Regs[r], blockStart);
            // Walk backwards to know what is live after each instruction (for calls).
            var live = liveOut[bi].Copy();
            var after = new BitSet[b.Instrs.Count];
            for (var k = b.Instrs.Count - 1; k >= 0; k--)
            {
                after[k] = live.Copy();
                foreach (var r in b.Instrs[k].DefRegs) live[r.Id] = false;
                foreach (var r in b.Instrs[k].UseRegs) live[r.Id] = true;
            }
            for (var k = 0; k < b.Instrs.Count; k++)
            {
                var i = b.Instrs[k];
                pos += 2;
                foreach (var r in i.UseRegs) Touch(r, pos);
                foreach (var r in i.DefRegs) Touch(r, pos + 1);
                if (i.IsCall)
                    foreach (var r in after[k].Members())
                    {
                        if (!across.TryGetValue(f.Regs[r], out var calls)) across[f.Regs[r]] = calls = [];
                        calls.Add(i);
                    }
            }
            pos += 2;
            foreach (var r in liveOut[bi].Members()) Touch(f.Regs[r], pos);
        }
        return (start, end, across);
    }

    private static string Slot(int k) => $"*l$index0[{k}]";

    /// <summary>Instructions that bring a spilled register into its temporary.</summary>
    private static IEnumerable<MInstr> Reload(MFunction f, VReg r)
    {
        if (r.SpillSlot >= 0) return [Move(Temp(r), Slot(r.SpillSlot))];
        return [SramSpill(f, "read", r), Move(Temp(r), SramSpillXfer)];
    }

    /// <summary>Instructions that store a spilled register's temporary to its word.</summary>
    private static IEnumerable<MInstr> Store(MFunction f, VReg r)
    {
        if (r.SpillSlot >= 0) return [Move(Slot(r.SpillSlot), Temp(r))];
        // ld_field_w_clr, not alu: the transfer register takes the value without touching C and V.
        return [Move(SramSpillXfer, Temp(r)), SramSpill(f, "write", r)];
    }

    /// <summary>The SRAM reference of a spill word in the slot frame (the context's slot-stack base is word 0 of the context block).</summary>
    private static MInstr SramSpill(MFunction f, string cmd, VReg r) =>
        new("sram", [MOp.T(cmd), MOp.T(SramSpillXfer), MOp.T("*l$index1[0]"), MOp.T($"{InstructionSelection.SlotSymbol(f)}+{r.SramSlot}"), MOp.I(1)], [], [])
        { Suffix = $"ctx_swap[{SramSpillSignal}]" };

    /// <summary>
    /// A reload or spill store. <c>ld_field_w_clr</c> with all bytes leaves C and V alone and sets Z and N from the
    /// value itself, so a spill between an add and its add-with-carry, or between a decrement and its branch on
    /// zero, does not change what the code tests (an <c>alu B</c> move would clear the carry).
    /// </summary>
    private static MInstr Move(string dst, string src) => new("ld_field_w_clr", [MOp.T(dst), MOp.T("1111"), MOp.T(src)], [], []);

    /// <summary>The reload temporary of a spilled register's bank.</summary>
    private static string Temp(VReg r) => r.Bank == Bank.A ? "a15" : "b15";

    /// <summary>Mnemonics that take a local-memory word as the destination (operand 0) in place of a register.</summary>
    private static readonly HashSet<string> LmDest = ["alu", "alu_shf", "immed", "ld_field_w_clr"];

    /// <summary>
    /// Whether operand <paramref name="k"/> of <paramref name="i"/>, a register read, may be a local-memory word
    /// instead: the ALU's A and B operands, <c>ld_field_w_clr</c>'s source (it does not read its destination,
    /// unlike <c>ld_field</c>) and a bit branch's register. Local memory is a read port of its own (the A/B rule), so
    /// it pairs with either bank, but only one operand per instruction may come from it.
    /// </summary>
    private static bool LmSource(MInstr i, int k) => i.Mnemonic switch
    {
        "alu" or "alu_shf" => k is 1 or 3,
        "ld_field_w_clr" => k == 2,
        "br_bset" or "br_bclr" => k == 0,
        _ => false,
    };

    private static void Rewrite(MFunction f, Func<MInstr, bool> callMovesIndex)
    {
        var frame = f.FrameWords > 0;
        foreach (var b in f.Blocks)
        {
            var list = new List<MInstr>();
            foreach (var i in b.Instrs)
            {
                var ops = i.Ops;
                // A spilled register in local memory is read and written there directly where the instruction
                // allows (no reload into a15/b15 and move, no move and store): one operand read per instruction,
                // and only when no other operand already reads local memory.
                var lmRead = ops.Where((o, k) => k > 0 && o.Kind == MOpKind.Text && o.Text!.StartsWith("*l$", StringComparison.Ordinal)).Any();
                var direct = -1;
                foreach (var u in i.Uses)
                {
                    var r = ops[u].Reg;
                    if (lmRead || r is null || r.SpillSlot < 0 || !LmSource(i, u)) continue;
                    direct = u;
                    break;
                }
                var reloaded = new HashSet<VReg>();
                foreach (var u in i.Uses)
                {
                    var r = ops[u].Reg;
                    if (r is null || !r.Spilled || u == direct || !reloaded.Add(r)) continue;
                    list.AddRange(Reload(f, r));
                }
                var stores = new List<MInstr>();
                for (var k = 0; k < ops.Length; k++)
                {
                    var r = ops[k].Reg;
                    if (r is null || !r.Spilled) continue;
                    // An instruction defines at most one register: one store at most.
                    var defined = i.Defs.Contains(k);
                    if (defined && k == 0 && r.SpillSlot >= 0 && LmDest.Contains(i.Mnemonic))
                    {
                        ops[k] = MOp.T(Slot(r.SpillSlot));
                        continue;
                    }
                    if (defined) stores.AddRange(Store(f, r));
                    ops[k] = MOp.T(k == direct ? Slot(r.SpillSlot) : Temp(r));
                }
                list.Add(i);
                list.AddRange(stores);
                if (i.IsCall && frame && callMovesIndex(i)) list.AddRange(SetFrame(f));
            }
            b.Instrs.Clear();
            b.Instrs.AddRange(list);
        }
        if (!frame) return;
        f.Blocks[0].Instrs.InsertRange(0, SetFrame(f));
    }

    /// <summary>Point local-memory index 0 at this function's frame: the context's stack base + the frame's offset (an .equ).</summary>
    private static IEnumerable<MInstr> SetFrame(MFunction f)
    {
        yield return new MInstr("alu", [MOp.T("a15"), MOp.T(InstructionSelection.StackBase), MOp.T("+"), MOp.T(FrameSymbol(f))], [], []);
        yield return new MInstr("local_csr_wr", [MOp.T("active_lm_addr_0"), MOp.T("a15")], [], []);
    }

    /// <summary>The assembler constant holding the byte offset of a function's frame in the context's stack.</summary>
    public static string FrameSymbol(MFunction f) => "FRAME_" + f.Scope + f.Label;
}

/// <summary>A fixed-size bit set for liveness.</summary>
internal sealed class BitSet(int n)
{
    private readonly ulong[] _w = new ulong[(n + 63) / 64];

    public bool this[int i]
    {
        get => (_w[i >> 6] >> (i & 63) & 1) != 0;
        set { if (value) _w[i >> 6] |= 1UL << (i & 63); else _w[i >> 6] &= ~(1UL << (i & 63)); }
    }

    public void Or(BitSet o) { for (var i = 0; i < _w.Length; i++) _w[i] |= o._w[i]; }
    public void AndNot(BitSet o) { for (var i = 0; i < _w.Length; i++) _w[i] &= ~o._w[i]; }
    public bool SameAs(BitSet o) => _w.AsSpan().SequenceEqual(o._w);

    public BitSet Copy()
    {
        var c = new BitSet(_w.Length * 64);
        _w.CopyTo(c._w, 0);
        return c;
    }

    public IEnumerable<int> Members()
    {
        for (var i = 0; i < _w.Length; i++)
            for (var x = _w[i]; x != 0; x &= x - 1)
                yield return i * 64 + System.Numerics.BitOperations.TrailingZeroCount(x);
    }
}
