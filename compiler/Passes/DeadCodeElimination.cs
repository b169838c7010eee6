using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Removes pure instructions whose results are never read:
/// <code>
///   b0:                                   b0:
///     %1: i32 = pkt.hoff %0                 %1: i32 = pkt.hoff %0
///     %3: i32 = mov %1          ----&gt;       (removed: nothing reads %3 before it is assigned again)
///     %4: i32 = conv %2                     (removed: nothing reads %4)
///     %5: u32 = load @g, 0:u32              %5: u32 = load @g, 0:u32      (kept: a memory access)
///     %2: u8 = mov %2                       (removed: a copy onto itself)
///     ret %1                                ret %1
/// </code>
/// An instruction goes when its op is pure (<see cref="Dataflow.IsPure"/>, or <c>div</c>/<c>rem</c> by a nonzero
/// constant) and its destination is dead after it (liveness over the whole function: the IR is not SSA, so a
/// register assigned again before any read is dead in between). Loads, packet and metadata accesses, calls,
/// checks and everything else with an effect stay even when their result is unused. A register that may be read
/// before any assignment (live at the entry; lowering never makes one) keeps its assignments, so that the verifier
/// still finds each read register assigned. Repeats until nothing changes (removing one read may kill another value).
/// </summary>
public static class DeadCodeElimination
{
    public static void Run(IrFunction f)
    {
        while (Sweep(f)) { }
    }

    private static bool Sweep(IrFunction f)
    {
        var (liveIn, liveOut) = Dataflow.Liveness(f);
        var keep = new HashSet<Register>(liveIn[f.Blocks[0]]);
        keep.ExceptWith(f.Params);      // parameters are assigned at the entry
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var live = new HashSet<Register>(liveOut[block]);
            var list = block.Instructions;
            for (int k = list.Count - 1; k >= 0; k--)
            {
                var i = list[k];
                bool selfCopy = i.Op == Op.Mov && i.Operands[0] == i.Dest;
                if (i.Dest is { } d && (selfCopy || (Dataflow.RemovableIfUnused(i) && !live.Contains(d) && !keep.Contains(d))))
                {
                    list.RemoveAt(k);
                    changed = true;
                    continue;
                }
                if (i.Dest is not null) live.Remove(i.Dest);
                foreach (var r in Dataflow.Reads(i)) live.Add(r);
            }
        }
        return changed;
    }
}
