using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Branches on an integer's equality with constants become switches:
/// <code>
///   b0:                                      b0:
///     %2: bool = eq %1, 6:u8                   switch %1, b1, 6, b2, 17, b3
///     br %2, b2, b1              ----&gt;       b2: ...
///   b1:                                      b3: ...
///     %3: bool = ne %1, 17:u8                (b1 is gone: it only tested %1 again)
///     br %3, b4, b3
/// </code>
/// The microengines test a bool by making it (a compare, a branch and two immediates) and then testing its bit; a
/// switch case is one compare and one branch. So <c>br c</c>, where c is <c>eq x, K</c> or <c>ne x, K</c> computed in
/// the same block from an integer x not assigned since, and the branch is the only reader of c, becomes
/// <c>switch x</c> with the case K (the compare goes). A block that a switch on x reaches only as its default and
/// that holds nothing but such a test of x against another constant joins the switch as one more case (an
/// if / else if chain becomes one switch). Blocks left unreachable are removed.
/// </summary>
public static class EqualityBranches
{
    public static void Run(IrFunction f)
    {
        var uses = new Dictionary<Register, int>();
        foreach (var r in f.Blocks.SelectMany(b => b.Instructions).SelectMany(Dataflow.Reads))
            uses[r] = uses.GetValueOrDefault(r) + 1;
        var predecessors = SimplifyCfg.Predecessors(f);
        bool changed = false;
        // In reverse postorder, so that a block's default is still a br when the block's switch takes it in.
        foreach (var block in Dataflow.ReversePostorder(f))
        {
            if (block != f.Blocks[0] && predecessors[block].Count == 0) continue;      // taken into a switch
            changed |= ToSwitch(block, uses);
            while (Absorb(block, predecessors, uses)) changed = true;
        }
        if (!changed) return;
        var reached = Dataflow.ReversePostorder(f).ToHashSet();
        f.Blocks.RemoveAll(b => !reached.Contains(b));
    }

    /// <summary>The test a branch makes: x == K (or != K when <c>Equal</c> is false), when it can become a switch case.</summary>
    private sealed record Test(Instruction Compare, Register X, Constant K, bool Equal);

    private static Test? TestOf(Block block, Dictionary<Register, int> uses)
    {
        var list = block.Instructions;
        if (block.Terminator is not { Op: Op.Br } br || br.Operands[0] is not Register c || uses.GetValueOrDefault(c) != 1) return null;
        for (int k = list.Count - 2; k >= 0; k--)
        {
            var i = list[k];
            if (i.Dest != c) continue;
            if (i.Op is not (Op.Eq or Op.Ne)) return null;
            var (x, constant) = i.Operands[0] is Constant k0 ? (i.Operands[1] as Register, k0) : (i.Operands[0] as Register, i.Operands[1] as Constant);
            if (x is null || constant is null || !x.Type.IsInteger()) return null;
            for (int j = k + 1; j < list.Count - 1; j++)
                if (list[j].Dest == x) return null;
            return new Test(i, x, constant, i.Op == Op.Eq);
        }
        return null;
    }

    private static bool ToSwitch(Block block, Dictionary<Register, int> uses)
    {
        if (TestOf(block, uses) is not { } test) return false;
        var br = block.Terminator!;
        var (yes, no) = ((BlockRef)br.Operands[1], (BlockRef)br.Operands[2]);
        var (match, other) = test.Equal ? (yes, no) : (no, yes);
        block.Instructions.Remove(test.Compare);
        br.Op = Op.Switch;
        br.Operands = [test.X, other, new IntImm((long)test.K.Bits), match];
        return true;
    }

    /// <summary>Takes the test of the switch's default block into the switch, when that block is nothing but a test of the
    /// same register against a constant the switch has no case for, and only the switch reaches it.</summary>
    private static bool Absorb(Block block, Dictionary<Block, List<Block>> predecessors, Dictionary<Register, int> uses)
    {
        if (block.Terminator is not { Op: Op.Switch } sw || sw.Operands[0] is not Register x) return false;
        var next = ((BlockRef)sw.Operands[1]).Target;
        if (next == block || next.Instructions.Count != 2 || predecessors[next] is not [var only] || only != block) return false;
        if (TestOf(next, uses) is not { } test || test.X != x) return false;
        var cases = new HashSet<ulong>();
        for (int n = 2; n + 1 < sw.Operands.Length; n += 2) cases.Add(x.Type.Normalize((ulong)((IntImm)sw.Operands[n]).Value));
        if (!cases.Add(test.K.Bits)) return false;
        var br = next.Terminator!;
        var (yes, no) = (((BlockRef)br.Operands[1]).Target, ((BlockRef)br.Operands[2]).Target);
        var (match, other) = test.Equal ? (yes, no) : (no, yes);
        sw.Operands = [x, new BlockRef(other), .. sw.Operands.Skip(2), new IntImm((long)test.K.Bits), new BlockRef(match)];
        predecessors[next].Clear();
        foreach (var s in new[] { match, other })
        {
            predecessors[s].Remove(next);
            if (!predecessors[s].Contains(block)) predecessors[s].Add(block);
        }
        return true;
    }
}
