using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Instruction selection for shifts, multiplication, division and the hash functions.
public sealed partial class InstructionSelection
{
    private void Hash(Instruction ins) => throw Unsupported($"'{ins.Info.Name}'");

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
            var n = c.Bits;
            if (Wide(t))
            {
                ConstShift64(d, a, n, left, signed);
                return;
            }
            if (n >= (ulong)t.Bits())
            {
                ShiftedOut(d[0], InReg(a), left, signed);
                return;
            }
            if (n == 0) { Emit(Mov(d[0], Word(a, 0))); return; }
            Emit(AluShf(d[0], MOp.None, "B", MOp.R(InReg(a)), (left ? "<<" : signed ? ">>>" : ">>") + n));
            if (left) Normalize(d[0], t);
            return;
        }
        if (Wide(t)) throw Unsupported("64-bit shifts by a variable count");
        // Variable count: a count >= the width (as an unsigned 64-bit number) shifts everything out;
        // otherwise shift by 16, 8, 4, 2 and 1 as the count's bits say.
        var done = NewLabel();
        var outOfRange = NewLabel();
        var cnt = InReg(count);
        Emit(Mov(d[0], Word(a, 0)));
        if (Wide(count.Type))
        {
            Emit(Alu(null, MOp.None, "B", MOp.R(InReg(count, 1))));
            Branch("br_ne", outOfRange);
        }
        Emit(Alu(null, MOp.R(cnt), "-", MOp.I(t.Bits())));
        Branch("br_hs", outOfRange);
        for (var bit = 4; bit >= 0; bit--)
        {
            if ((1 << bit) >= t.Bits()) continue;
            var skip = NewLabel();
            BitBranch(false, cnt, bit, skip);
            Emit(AluShf(d[0], MOp.None, "B", MOp.R(d[0]), (left ? "<<" : signed ? ">>>" : ">>") + (1 << bit)));
            StartBlock(skip);
        }
        if (left) Normalize(d[0], t);
        Jump(done);
        StartBlock(outOfRange);
        ShiftedOut(d[0], d[0], left, signed);
        StartBlock(done);
    }

    /// <summary>The result of shifting <paramref name="src"/> by its width or more: 0, or the sign fill for a signed right shift.</summary>
    private void ShiftedOut(VReg d, VReg src, bool left, bool signed)
    {
        if (left || !signed) Emit(Immed(d, 0));
        else Emit(AluShf(d, MOp.None, "B", MOp.R(src), ">>>31"));
    }

    private void ConstShift64(VReg[] d, Value a, ulong n, bool left, bool signed)
    {
        var lo = InReg(a, 0);
        var hi = InReg(a, 1);
        if (n >= 64)
        {
            if (left || !signed) { Emit(Immed(d[0], 0)); Emit(Immed(d[1], 0)); }
            else { Emit(AluShf(d[1], MOp.None, "B", MOp.R(hi), ">>>31")); Emit(Mov(d[0], MOp.R(d[1]))); }
            return;
        }
        if (n == 0) { Emit(Mov(d[0], MOp.R(lo))); Emit(Mov(d[1], MOp.R(hi))); return; }
        if (n >= 32)
        {
            var k = (int)n - 32;
            if (left)
            {
                Emit(k == 0 ? Mov(d[1], MOp.R(lo)) : AluShf(d[1], MOp.None, "B", MOp.R(lo), "<<" + k));
                Emit(Immed(d[0], 0));
            }
            else
            {
                Emit(k == 0 ? Mov(d[0], MOp.R(hi)) : AluShf(d[0], MOp.None, "B", MOp.R(hi), (signed ? ">>>" : ">>") + k));
                if (signed) Emit(AluShf(d[1], MOp.None, "B", MOp.R(hi), ">>>31"));
                else Emit(Immed(d[1], 0));
            }
            return;
        }
        // 0 < n < 32: the word that crosses the boundary is assembled from both halves.
        var t = _m.NewReg();
        if (left)
        {
            Emit(AluShf(t, MOp.None, "B", MOp.R(lo), ">>" + (32 - (int)n)));
            Emit(AluShf(d[1], MOp.R(t), "OR", MOp.R(hi), "<<" + n));
            Emit(AluShf(d[0], MOp.None, "B", MOp.R(lo), "<<" + n));
        }
        else
        {
            Emit(AluShf(t, MOp.None, "B", MOp.R(hi), "<<" + (32 - (int)n)));
            Emit(AluShf(d[0], MOp.R(t), "OR", MOp.R(lo), ">>" + n));
            Emit(AluShf(d[1], MOp.None, "B", MOp.R(hi), (signed ? ">>>" : ">>") + n));
        }
    }

    private void Mul(Instruction ins)
    {
        var t = ins.Dest!.Type;
        if (Wide(t)) throw Unsupported("64-bit multiplication");
        // Shift and add over the bits of b: r += a for each set bit, a doubling each step.
        var d = Regs(ins.Dest!)[0];
        var x = _m.NewReg();
        var y = _m.NewReg();
        Emit(Mov(x, Word(ins.V(0), 0)));
        Emit(Mov(y, Word(ins.V(1), 0)));
        Emit(Immed(d, 0));
        var loop = NewLabel();
        var skip = NewLabel();
        var done = NewLabel();
        StartBlock(loop);
        Emit(Alu(null, MOp.None, "B", MOp.R(y)));
        Branch("br_eq", done);
        BitBranch(false, y, 0, skip);
        Emit(Alu(d, MOp.R(d), "+", MOp.R(x)));
        StartBlock(skip);
        Emit(AluShf(x, MOp.None, "B", MOp.R(x), "<<1"));
        Emit(AluShf(y, MOp.None, "B", MOp.R(y), ">>1"));
        Jump(loop);
        StartBlock(done);
        Normalize(d, t);
    }

    private void DivRem(Instruction ins)
    {
        var t = ins.Dest!.Type;
        if (Wide(t)) throw Unsupported("64-bit division");
        var div = ins.Op == Op.Div;
        var signed = t.IsSigned();
        var d = Regs(ins.Dest!)[0];
        var n = _m.NewReg();   // dividend, becomes the quotient
        var m = _m.NewReg();   // divisor
        var r = _m.NewReg();   // remainder
        var i = _m.NewReg();
        var neg = _m.NewReg(); // bit 0: negate the quotient; bit 1: negate the remainder
        Emit(Mov(n, Word(ins.V(0), 0)));
        Emit(Mov(m, Word(ins.V(1), 0)));
        Emit(Alu(null, MOp.None, "B", MOp.R(m)));
        Branch("br_eq", "__fault_div_by_zero");
        Emit(Immed(neg, 0));
        if (signed)
        {
            // Divide magnitudes; the quotient is negative when the signs differ, the remainder takes the dividend's sign.
            var posN = NewLabel();
            var posM = NewLabel();
            BitBranch(false, n, 31, posN);
            Emit(Alu(n, MOp.I(0), "-", MOp.R(n)));
            Emit(Immed(neg, 3));
            StartBlock(posN);
            BitBranch(false, m, 31, posM);
            Emit(Alu(m, MOp.I(0), "-", MOp.R(m)));
            Emit(Alu(neg, MOp.R(neg), "XOR", MOp.I(1)));
            StartBlock(posM);
        }
        // Restoring division, one quotient bit per turn, most significant first.
        Emit(Immed(r, 0));
        Emit(Immed(i, 32));
        var loop = NewLabel();
        var noSub = NewLabel();
        StartBlock(loop);
        Emit(AluShf(r, MOp.None, "B", MOp.R(r), "<<1"));
        var top = NewLabel();
        BitBranch(false, n, 31, top);
        Emit(Alu(r, MOp.R(r), "OR", MOp.I(1)));
        StartBlock(top);
        Emit(AluShf(n, MOp.None, "B", MOp.R(n), "<<1"));
        Emit(Alu(null, MOp.R(r), "-", MOp.R(m)));
        Branch("br_lo", noSub);
        Emit(Alu(r, MOp.R(r), "-", MOp.R(m)));
        Emit(Alu(n, MOp.R(n), "OR", MOp.I(1)));
        StartBlock(noSub);
        Emit(Alu(i, MOp.R(i), "-", MOp.I(1)));
        Branch("br_ne", loop);
        Emit(Mov(d, MOp.R(div ? n : r)));
        if (signed)
        {
            var keep = NewLabel();
            BitBranch(false, neg, div ? 0 : 1, keep);
            Emit(Alu(d, MOp.I(0), "-", MOp.R(d)));
            StartBlock(keep);
        }
        Normalize(d, t);
    }
}
