using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Cleans the control-flow graph that lowering leaves behind:
/// <code>
///   b0: br %1, b1, b2          b0: br %1, b1, b3
///   b1: ...; jmp b2     ----&gt;  b1: ...; jmp b3      (b2 held only "jmp b3": bypassed)
///   b2: jmp b3                 b3: ...; ret         (b4, which nothing reached, and b2 are gone;
///   b3: ...; jmp b5                                  b5 was merged into b3, its only predecessor)
///   b4: ret
///   b5: ret
/// </code>
/// Repeats until nothing changes: branches to forwarding blocks are redirected, a conditional branch with
/// equal targets becomes a jump, a block is merged into its only predecessor when that ends in a jump to it,
/// and blocks unreachable from the entry are removed.
///
/// A branch into a block that only tests a condition the path has already decided goes straight to that test's
/// target (lowering tests <c>a &amp;&amp; b</c> and <c>a || b</c> and the if after them in separate blocks):
/// <code>
///   b0: br %1, b1, b2                  b0: br %1, b1, b3        (%1 is false on the way to b2)
///   b1: ...; br %4, b5, b2    ----&gt;    b1: ...; br %4, b5, b4   (%1 is true in b1, which only b0's true edge reaches)
///   b2: br %1, b4, b3
/// </code>
/// </summary>
public static class SimplifyCfg
{
    public static void Run(IrFunction f)
    {
        bool changed = true;
        while (changed)
        {
            changed = BypassForwarders(f);
            changed |= ThreadDecidedBranches(f);
            changed |= FoldSameTargetBranches(f);
            changed |= MergeIntoPredecessor(f);
            changed |= RemoveUnreachable(f);
        }
    }

    private static Block Forwarded(Block b)
    {
        // Follow chains of "jmp" blocks; a cycle of them (an empty infinite loop) stops where it started.
        var seen = new HashSet<Block>();
        while (b.Instructions.Count == 1 && b.Instructions[0].Op == Op.Jmp && seen.Add(b))
            b = ((BlockRef)b.Instructions[0].Operands[0]).Target;
        return b;
    }

    private static bool BypassForwarders(IrFunction f)
    {
        bool changed = false;
        foreach (var block in f.Blocks)
            foreach (var r in block.Terminator!.Operands.OfType<BlockRef>())
            {
                var target = Forwarded(r.Target);
                if (target != r.Target) { r.Target = target; changed = true; }
            }
        return changed;
    }

    private static bool ThreadDecidedBranches(IrFunction f)
    {
        var predecessors = Predecessors(f);
        bool changed = false;
        foreach (var block in f.Blocks)
            foreach (var r in block.Terminator!.Operands.OfType<BlockRef>())
            {
                var target = r.Target;
                if (target.Instructions is not [{ Op: Op.Br } test] || test.Operands[0] is not Register c) continue;
                if (Decided(block, target, c, predecessors, 8) is not { } value) continue;
                var next = ((BlockRef)test.Operands[value ? 1 : 2]).Target;
                if (next == target) continue;
                r.Target = next;
                changed = true;
            }
        return changed;
    }

    /// <summary>
    /// The value <paramref name="c"/> has on the edge from <paramref name="from"/> to <paramref name="to"/>, when the
    /// branches that lead there decide it: <paramref name="from"/> ends in <c>br c</c> with <paramref name="to"/> as one
    /// target only, or <paramref name="from"/> does not assign c and is reached only by an edge that decides it.
    /// </summary>
    private static bool? Decided(Block from, Block to, Register c, Dictionary<Block, List<Block>> predecessors, int depth)
    {
        var t = from.Terminator!;
        if (t.Op == Op.Br && t.Operands[0] == c)
        {
            var (yes, no) = (((BlockRef)t.Operands[1]).Target, ((BlockRef)t.Operands[2]).Target);
            if (yes != no) return to == yes ? true : to == no ? false : null;
        }
        if (depth == 0 || from.Instructions.Any(i => i.Dest == c) || predecessors[from] is not [var only] || only == from) return null;
        return Decided(only, from, c, predecessors, depth - 1);
    }

    private static bool FoldSameTargetBranches(IrFunction f)
    {
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var t = block.Terminator!;
            if (t.Op == Op.Br && ((BlockRef)t.Operands[1]).Target == ((BlockRef)t.Operands[2]).Target)
            {
                t.Op = Op.Jmp;
                t.Operands = [t.Operands[1]];
                changed = true;
            }
        }
        return changed;
    }

    private static bool MergeIntoPredecessor(IrFunction f)
    {
        var predecessors = Predecessors(f);
        bool changed = false;
        foreach (var block in f.Blocks.ToList())
        {
            if (block.Instructions.Count == 0) continue;          // merged away earlier in this sweep
            var t = block.Terminator!;
            if (t.Op != Op.Jmp) continue;
            var next = ((BlockRef)t.Operands[0]).Target;
            if (next == block || next == f.Blocks[0] || predecessors[next].Count != 1) continue;
            block.Instructions.RemoveAt(block.Instructions.Count - 1);
            block.Instructions.AddRange(next.Instructions);
            next.Instructions.Clear();
            f.Blocks.Remove(next);
            foreach (var s in block.Successors)
                predecessors[s] = predecessors[s].Select(p => p == next ? block : p).Distinct().ToList();
            changed = true;
        }
        return changed;
    }

    private static bool RemoveUnreachable(IrFunction f)
    {
        var reached = new HashSet<Block> { f.Blocks[0] };
        var work = new Stack<Block>(reached);
        while (work.Count > 0)
            foreach (var s in work.Pop().Successors)
                if (reached.Add(s)) work.Push(s);
        return f.Blocks.RemoveAll(b => !reached.Contains(b)) > 0;
    }

    public static Dictionary<Block, List<Block>> Predecessors(IrFunction f)
    {
        var map = f.Blocks.ToDictionary(b => b, _ => new List<Block>());
        foreach (var b in f.Blocks)
            foreach (var s in b.Successors.Distinct())
                if (map.TryGetValue(s, out var list)) list.Add(b);
        return map;
    }
}
