namespace Baker.Compiler.Backend.Me;

/// <summary>
/// The A/B bank rule: the two register operands an instruction reads in one cycle must come from
/// different GPR banks. Registers read together form a conflict graph, which is 2-coloured (bank A,
/// bank B) breadth first; an edge whose ends end up in one bank (an odd cycle, or a register read twice
/// by one instruction) is broken by copying one operand into a new register of the other bank just
/// before the instruction. Each connected component goes the way that keeps the banks' total live spans
/// closer, balancing the pressure on the two 12-register banks. Returns the number of moves inserted.
/// </summary>
public static class BankAssignment
{
    public static int Run(MFunction f)
    {
        var edges = new Dictionary<VReg, List<VReg>>();
        void Edge(VReg a, VReg b)
        {
            if (!edges.TryGetValue(a, out var l)) edges[a] = l = [];
            l.Add(b);
        }
        foreach (var b in f.Blocks)
            foreach (var i in b.Instrs)
                if (i.TwoPorts is var (x, y) && i.Ops[x].Reg is { } u && i.Ops[y].Reg is { } v && u != v)
                {
                    Edge(u, v);
                    Edge(v, u);
                }

        // Pressure proxy: how long each register lives in layout order (first to last mention). A connected
        // component is coloured one way or the other, whichever leaves the two banks' total spans closer.
        var first = new Dictionary<VReg, int>();
        var last = new Dictionary<VReg, int>();
        var pos = 0;
        foreach (var i in f.Blocks.SelectMany(b => b.Instrs))
        {
            pos++;
            foreach (var r in i.UseRegs.Concat(i.DefRegs))
            {
                first.TryAdd(r, pos);
                last[r] = pos;
            }
        }
        long Span(VReg r) => first.TryGetValue(r, out var a) ? last[r] - a + 1 : 1;

        long loadA = 0, loadB = 0;
        foreach (var start in f.Regs.ToList())
        {
            if (start.Bank != Bank.Any) continue;
            // Collect the component with a tentative colouring (start in A), then flip it if B is lighter.
            var component = new List<VReg>();
            start.Bank = Bank.A;
            var queue = new Queue<VReg>([start]);
            while (queue.Count > 0)
            {
                var r = queue.Dequeue();
                component.Add(r);
                if (!edges.TryGetValue(r, out var ns)) continue;
                foreach (var n in ns)
                {
                    if (n.Bank != Bank.Any) continue;
                    n.Bank = r.Bank == Bank.A ? Bank.B : Bank.A;
                    queue.Enqueue(n);
                }
            }
            var inA = component.Where(r => r.Bank == Bank.A).Sum(Span);
            var inB = component.Where(r => r.Bank == Bank.B).Sum(Span);
            if (Math.Abs(loadA + inB - (loadB + inA)) < Math.Abs(loadA + inA - (loadB + inB)))
            {
                foreach (var r in component) r.Bank = r.Bank == Bank.A ? Bank.B : Bank.A;
                (inA, inB) = (inB, inA);
            }
            loadA += inA;
            loadB += inB;
        }

        var moves = 0;
        foreach (var b in f.Blocks)
        {
            for (var k = 0; k < b.Instrs.Count; k++)
            {
                var i = b.Instrs[k];
                if (i.TwoPorts is not var (x, y) || i.Ops[x].Reg is not { } u || i.Ops[y].Reg is not { } v || u.Bank != v.Bank) continue;
                var t = f.NewReg();
                t.Bank = u.Bank == Bank.A ? Bank.B : Bank.A;
                b.Instrs.Insert(k, new MInstr("alu", [MOp.R(t), MOp.None, MOp.T("B"), MOp.R(v)], [0], [3]));
                k++;
                i.Ops[y] = MOp.R(t);
                moves++;
            }
        }
        return moves;
    }
}
