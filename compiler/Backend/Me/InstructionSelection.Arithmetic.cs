using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Instruction selection for shifts, multiplication, division and the hash functions. The loops work on
// a value as an array of words (one, or low and high for 64 bits), so both widths share their code.
public sealed partial class InstructionSelection
{
    private const uint CrcPoly = 0x04C11DB7, CrcInit = 0xFFFFFFFF;

    // ------------------------------------------------------------------ hash32, hash64, crc32

    /// <summary>
    /// The ME's CRC unit computes hash32, hash64 and crc32 (CRC-32/MPEG-2 of the value's bytes, most
    /// significant first). Its remainder CSR is shared by the ME's contexts: each sequence is ALU-like
    /// code with no context swap, so no other context can touch the CSR in the middle.
    /// </summary>
    private void Hash(Instruction ins)
    {
        var d = Regs(ins.Dest!);
        var v = ins.V(0);
        if (ins.Op == Op.Crc32)
        {
            // The unit takes whole words: zero bytes in front pad the n bytes to one or two words, and
            // the start state is the one those zero bytes take to 0xFFFFFFFF (masking makes them zero
            // when a narrow value is sign-extended).
            var n = (int)((IntImm)ins.Operands[1]).Value;
            var lo = Word(v, 0);
            MOp[] words = n > 4 ? [Low(Word(v, 1), n - 4, v.Type), Low(lo, 4, v.Type)] : [Low(lo, n, v.Type)];
            Crc(d[0], CrcBefore(CrcInit, (8 - n) % 4), words);
            return;
        }
        // The 8 bytes of the value as a 64-bit number: high word first.
        var x = new[] { Word(v, 1), Word(v, 0) };
        if (ins.Op == Op.Hash32) { Crc(d[0], CrcInit, x); return; }
        // hash64: hash32(x) high, hash32(~x) low; ~x first, as the destination may be x's registers.
        var nx = x.Select(w => w.Kind == MOpKind.Imm ? MOp.I(~(uint)w.Value) : Not(w)).ToArray();
        Crc(d[1], CrcInit, x);
        Crc(d[0], CrcInit, nx);
    }

    private MOp Not(MOp w)
    {
        var r = _m.NewReg();
        Emit(Alu(r, MOp.None, "~B", w));
        return MOp.R(r);
    }

    /// <summary>The low <paramref name="bytes"/> bytes of a word of a value of type <paramref name="t"/>, the others zero.</summary>
    private MOp Low(MOp w, int bytes, IrType t)
    {
        var mask = bytes == 4 ? uint.MaxValue : (1u << (8 * bytes)) - 1;
        if (w.Kind == MOpKind.Imm) return MOp.I((uint)w.Value & mask);
        // A normalised unsigned value has no bits above its width.
        if (bytes == 4 || (!t.IsSigned() && t.Bits() <= 8 * bytes)) return w;
        var r = _m.NewReg();
        Emit(Alu(r, w, "AND", MOp.I(mask)));
        return MOp.R(r);
    }

    /// <summary>d = the CRC from <paramref name="start"/> continued over <paramref name="words"/>, most significant byte first.</summary>
    private void Crc(VReg d, uint start, MOp[] words)
    {
        Emit(new MInstr("local_csr_wr", [MOp.T("crc_remainder"), MOp.I(start)], [], []));
        foreach (var w in words)
            Emit(new MInstr("crc_be", [MOp.T("crc_32"), MOp.None, w], [], w.Kind == MOpKind.Reg ? [2] : []));
        Emit(new MInstr("local_csr_rd", [MOp.R(d), MOp.T("crc_remainder")], [0], []));
    }

    /// <summary>
    /// The CRC state from which <paramref name="zeroBytes"/> zero bytes lead to <paramref name="s"/>. One bit
    /// step is s' = s &lt;&lt; 1, xor the polynomial when s's top bit was set; the polynomial's bit 0 is set,
    /// so bit 0 of s' tells which way it went, and the step can be undone.
    /// </summary>
    private static uint CrcBefore(uint s, int zeroBytes)
    {
        for (var k = 0; k < 8 * zeroBytes; k++) s = (s & 1) != 0 ? ((s ^ CrcPoly) >> 1) | 0x80000000 : s >> 1;
        return s;
    }

    // ------------------------------------------------------------------ shifts

    private void Shift(Instruction ins)
    {
        var t = ins.Dest!.Type;
        var d = Regs(ins.Dest!);
        var a = ins.V(0);
        var count = ins.V(1);
        var left = ins.Op == Op.Shl;
        var signed = t.IsSigned();
        if (count is Constant c)
        {
            var x = d.Select((_, w) => InReg(a, w)).ToArray();
            if (c.Bits >= (ulong)t.Bits()) { ShiftedOut(d, x[^1], left, signed); return; }
            ShiftBy(d, x, (int)c.Bits, left, signed);
            if (left && c.Bits > 0) Normalize(d[0], t);
            return;
        }
        // Variable count: a count >= the width (as an unsigned 64-bit number) shifts everything out;
        // otherwise shift by 32, 16, 8, 4, 2 and 1 as the count's bits say.
        var done = NewLabel();
        var outOfRange = NewLabel();
        var cnt = InReg(count);
        if (Wide(count.Type))
        {
            Emit(Alu(null, MOp.None, "B", MOp.R(InReg(count, 1))));
            Branch("br_ne", outOfRange);
        }
        Emit(Alu(null, MOp.R(cnt), "-", MOp.I(t.Bits())));
        Branch("br_hs", outOfRange);
        // The count must survive the shifts of the destination, which may be its register.
        if (d.Contains(cnt)) Emit(Mov(cnt = _m.NewReg(), Word(count, 0)));
        for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], Word(a, w)));
        for (var bit = 5; bit >= 0; bit--)
        {
            if ((1 << bit) >= t.Bits()) continue;
            var skip = NewLabel();
            BitBranch(false, cnt, bit, skip);
            ShiftBy(d, d, 1 << bit, left, signed);
            StartBlock(skip);
        }
        if (left) Normalize(d[0], t);
        Jump(done);
        StartBlock(outOfRange);
        ShiftedOut(d, InReg(a, d.Length - 1), left, signed);
        StartBlock(done);
    }

    /// <summary>The result of shifting a value by its width or more: 0, or the sign fill of its top word <paramref name="top"/> for a signed right shift.</summary>
    private void ShiftedOut(VReg[] d, VReg top, bool left, bool signed)
    {
        if (left || !signed)
        {
            foreach (var r in d) Emit(Immed(r, 0));
            return;
        }
        Emit(AluShf(d[^1], MOp.None, "B", MOp.R(top), ">>>31"));
        if (d.Length == 2) Emit(Mov(d[0], MOp.R(d[1])));
    }

    /// <summary>d = x shifted by n, 0 &lt;= n &lt; its width (words low first; d may be x).</summary>
    private void ShiftBy(VReg[] d, VReg[] x, int n, bool left, bool signed)
    {
        var right = signed ? ">>>" : ">>";
        if (n == 0)
        {
            for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], MOp.R(x[w])));
            return;
        }
        if (d.Length == 1)
        {
            Emit(AluShf(d[0], MOp.None, "B", MOp.R(x[0]), (left ? "<<" : right) + n));
            return;
        }
        var (lo, hi) = (x[0], x[1]);
        if (n >= 32)
        {
            var k = n - 32;
            if (left)
            {
                Emit(k == 0 ? Mov(d[1], MOp.R(lo)) : AluShf(d[1], MOp.None, "B", MOp.R(lo), "<<" + k));
                Emit(Immed(d[0], 0));
            }
            else
            {
                Emit(k == 0 ? Mov(d[0], MOp.R(hi)) : AluShf(d[0], MOp.None, "B", MOp.R(hi), right + k));
                if (signed) Emit(AluShf(d[1], MOp.None, "B", MOp.R(hi), ">>>31"));
                else Emit(Immed(d[1], 0));
            }
            return;
        }
        // 0 < n < 32: the word that crosses the boundary is assembled from both halves.
        var t = _m.NewReg();
        if (left)
        {
            Emit(AluShf(t, MOp.None, "B", MOp.R(lo), ">>" + (32 - n)));
            Emit(AluShf(d[1], MOp.R(t), "OR", MOp.R(hi), "<<" + n));
            Emit(AluShf(d[0], MOp.None, "B", MOp.R(lo), "<<" + n));
        }
        else
        {
            Emit(AluShf(t, MOp.None, "B", MOp.R(hi), "<<" + (32 - n)));
            Emit(AluShf(d[0], MOp.R(t), "OR", MOp.R(lo), ">>" + n));
            Emit(AluShf(d[1], MOp.None, "B", MOp.R(hi), right + n));
        }
    }

    // ------------------------------------------------------------------ multiplication

    private void Mul(Instruction ins)
    {
        var t = ins.Dest!.Type;
        var d = Regs(ins.Dest!);
        if (!Wide(t) && (ins.V(1) is Constant || ins.V(0) is Constant))
        {
            var (v, k) = ins.V(1) is Constant c ? (ins.V(0), c) : (ins.V(1), (Constant)ins.V(0));
            MulConst(d[0], InReg(v), (uint)k.Bits);
            Normalize(d[0], t);
            return;
        }
        // Shift and add over the bits of b: r += a for each set bit, a doubling each step.
        var x = Copy(ins.V(0), d.Length);
        var y = Copy(ins.V(1), d.Length);
        foreach (var r in d) Emit(Immed(r, 0));
        var loop = NewLabel();
        var skip = NewLabel();
        var done = NewLabel();
        StartBlock(loop);
        TestZero(y);
        Branch("br_eq", done);
        BitBranch(false, y[0], 0, skip);
        AddSubWords(d, d, "+", x);
        StartBlock(skip);
        Shl1(x, null);
        Shr1(y);
        Jump(loop);
        StartBlock(done);
        Normalize(d[0], t);
    }

    /// <summary>
    /// d = x * k (mod 2^32) without a loop: k in non-adjacent form (digits -1, 0, 1, no two adjacent
    /// nonzero, so the fewest terms) gives one shifted add or subtract of x per nonzero digit; digits
    /// from bit 32 up vanish modulo 2^32.
    /// </summary>
    private void MulConst(VReg d, VReg x, uint k)
    {
        var terms = new List<(int Shift, bool Neg)>();
        for (var (rest, i) = ((ulong)k, 0); rest != 0 && i < 32; rest >>= 1, i++)
        {
            if ((rest & 1) == 0) continue;
            var neg = (rest & 3) == 3;
            terms.Add((i, neg));
            rest = neg ? rest + 1 : rest - 1;
        }
        if (terms.Count == 0) { Emit(Immed(d, 0)); return; }
        // Later terms read x after d is written: keep x apart when it is d's own register.
        if (x == d && terms.Count > 1) Emit(Mov(x = _m.NewReg(), MOp.R(d)));
        // Start from a positive term when there is one (d = x << i), else d = 0 - (x << i).
        var first = terms.FindIndex(p => !p.Neg);
        if (first < 0) first = 0;
        var (s0, n0) = terms[first];
        Emit(Term(n0 ? MOp.I(0) : MOp.None, n0 ? "-" : "B", s0));
        terms.RemoveAt(first);
        foreach (var (s, neg) in terms) Emit(Term(MOp.R(d), neg ? "-" : "+", s));

        MInstr Term(MOp a, string op, int shift) => shift == 0 ? Alu(d, a, op, MOp.R(x)) : AluShf(d, a, op, MOp.R(x), "<<" + shift);
    }

    // ------------------------------------------------------------------ division and remainder

    private void DivRem(Instruction ins)
    {
        var t = ins.Dest!.Type;
        var div = ins.Op == Op.Div;
        var d = Regs(ins.Dest!);
        var n = Copy(ins.V(0), d.Length);   // dividend, becomes the quotient
        var m = Copy(ins.V(1), d.Length);   // divisor
        TestZero(m);
        Branch("br_eq", "__fault_div_by_zero");
        var neg = t.IsSigned() ? _m.NewReg() : null; // bit 0: negate the quotient; bit 1: negate the remainder
        if (neg is not null)
        {
            // Divide magnitudes (the most negative value's is itself as an unsigned number); the quotient
            // is negative when the signs differ, the remainder takes the dividend's sign.
            Emit(Immed(neg, 0));
            var posN = NewLabel();
            var posM = NewLabel();
            BitBranch(false, n[^1], 31, posN);
            Negate(n);
            Emit(Immed(neg, 3));
            StartBlock(posN);
            BitBranch(false, m[^1], 31, posM);
            Negate(m);
            Emit(Alu(neg, MOp.R(neg), "XOR", MOp.I(1)));
            StartBlock(posM);
        }
        // Restoring division, one quotient bit per turn, most significant first: the dividend's top bit
        // moves into the remainder, the quotient bit into the dividend's bottom. The remainder stays below
        // the part of the dividend shifted in so far, so it never overflows its words.
        var r = d.Select(_ => _m.NewReg()).ToArray();
        foreach (var w in r) Emit(Immed(w, 0));
        var i = ImmReg(32 * d.Length);
        var loop = NewLabel();
        var noSub = NewLabel();
        StartBlock(loop);
        Shl1(r, n[^1]);
        Shl1(n, null);
        AddSubWords(null, r, "-", m);
        Branch("br_lo", noSub);
        AddSubWords(r, r, "-", m);
        Emit(Alu(n[0], MOp.R(n[0]), "OR", MOp.I(1)));
        StartBlock(noSub);
        Emit(Alu(i, MOp.R(i), "-", MOp.I(1)));
        Branch("br_ne", loop);
        for (var w = 0; w < d.Length; w++) Emit(Mov(d[w], MOp.R(div ? n[w] : r[w])));
        if (neg is not null)
        {
            var keep = NewLabel();
            BitBranch(false, neg, div ? 0 : 1, keep);
            Negate(d);
            StartBlock(keep);
        }
        Normalize(d[0], t);
    }

    // ------------------------------------------------------------------ words of a value

    /// <summary>A fresh copy of a value's words (the loops modify them; the destination may be an operand's register).</summary>
    private VReg[] Copy(Value v, int words)
    {
        var c = new VReg[words];
        for (var w = 0; w < words; w++) Emit(Mov(c[w] = _m.NewReg(), Word(v, w)));
        return c;
    }

    /// <summary>Set Z when every word of x is zero.</summary>
    private void TestZero(VReg[] x) =>
        Emit(x.Length == 1 ? Alu(null, MOp.None, "B", MOp.R(x[0])) : Alu(null, MOp.R(x[0]), "OR", MOp.R(x[1])));

    /// <summary>d = a + b or a - b (<paramref name="op"/>), the high word with the carry; d null only sets the flags.</summary>
    private void AddSubWords(VReg[]? d, VReg[] a, string op, VReg[] b)
    {
        for (var w = 0; w < a.Length; w++) Emit(Alu(d?[w], MOp.R(a[w]), w == 0 ? op : op + "carry", MOp.R(b[w])));
    }

    private void Negate(VReg[] x)
    {
        for (var w = 0; w < x.Length; w++) Emit(Alu(x[w], MOp.I(0), w == 0 ? "-" : "-carry", MOp.R(x[w])));
    }

    /// <summary>x &lt;&lt;= 1, shifting in the top bit of <paramref name="from"/> (or 0).</summary>
    private void Shl1(VReg[] x, VReg? from)
    {
        for (var w = x.Length - 1; w >= 0; w--)
        {
            var below = w > 0 ? x[w - 1] : from;
            if (below is null) { Emit(AluShf(x[w], MOp.None, "B", MOp.R(x[w]), "<<1")); continue; }
            var t = _m.NewReg();
            Emit(AluShf(t, MOp.None, "B", MOp.R(below), ">>31"));
            Emit(AluShf(x[w], MOp.R(t), "OR", MOp.R(x[w]), "<<1"));
        }
    }

    /// <summary>x >>= 1 (logical).</summary>
    private void Shr1(VReg[] x)
    {
        for (var w = 0; w < x.Length; w++)
        {
            if (w + 1 == x.Length) { Emit(AluShf(x[w], MOp.None, "B", MOp.R(x[w]), ">>1")); continue; }
            var t = _m.NewReg();
            Emit(AluShf(t, MOp.None, "B", MOp.R(x[w + 1]), "<<31"));
            Emit(AluShf(x[w], MOp.R(t), "OR", MOp.R(x[w]), ">>1"));
        }
    }
}
