using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Forwards copies, so that the copies die (dce removes them):
/// <code>
///   b0:                                          b0:
///     %5: u32 = pkt.get %0, %4, 96, 32             %6: u32 = pkt.get %0, %4, 96, 32    (computed into %6)
///     %6: u32 = mov %5               ----&gt;
///     %3: i32 = mov %1                             %3: i32 = mov %1                    (dead: dce)
///     %7: u32 = add %6, 1:u32                      %7: u32 = add %6, 1:u32
///     br %2, b1, b2                                br %2, b1, b2
///   b1:                                          b1:
///     %8: u32 = pkt.get %0, %3, 128, 32            %8: u32 = pkt.get %0, %1, 128, 32   (%3 holds %1 on every path)
/// </code>
/// <list type="bullet">
/// <item>A register read where it holds the value of another register (it was last assigned <c>mov</c> of that
/// register on every path, and neither has been assigned since: <see cref="Dataflow.AvailableCopies"/>) reads that
/// register instead. Chains resolve to the first register.</item>
/// <item>A temporary assigned once and read once, by a <c>mov</c> into another register later in the same block,
/// is computed into that register directly when nothing between reads or assigns it (lowering stores every value
/// through a temporary: <c>%5 = pkt.get ...; %6 = mov %5</c>).</item>
/// </list>
/// Constants are const-fold's: this pass forwards registers only. Repeats until nothing changes.
/// </summary>
public static class CopyPropagation
{
    public static void Run(IrFunction f)
    {
        for (int round = 0; round < 32; round++)
        {
            bool changed = Forward(f);
            changed |= Coalesce(f);
            if (!changed) return;
        }
    }

    private static bool Forward(IrFunction f)
    {
        var entry = Dataflow.AvailableCopies(f, v => v is Register);
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var facts = entry[block];
            foreach (var i in block.Instructions)
            {
                for (int k = 0; k < i.Operands.Length; k++)
                    if (i.Operands[k] is Register r && facts.TryGetValue(r, out var s))
                    {
                        i.Operands[k] = s;
                        changed = true;
                    }
                Dataflow.Transfer(facts, i, v => v is Register);
            }
        }
        return changed;
    }

    private static bool Coalesce(IrFunction f)
    {
        var defs = new Dictionary<Register, int>();
        var uses = new Dictionary<Register, int>();
        foreach (var i in f.Blocks.SelectMany(b => b.Instructions))
        {
            if (i.Dest is not null) defs[i.Dest] = defs.GetValueOrDefault(i.Dest) + 1;
            foreach (var r in Dataflow.Reads(i)) uses[r] = uses.GetValueOrDefault(r) + 1;
        }
        var parameters = f.Params.ToHashSet();
        bool changed = false;
        foreach (var block in f.Blocks)
        {
            var list = block.Instructions;
            for (int j = 0; j < list.Count; j++)
            {
                var copy = list[j];
                if (copy.Op != Op.Mov || copy.Operands[0] is not Register t || copy.Dest is not { } v || t == v) continue;
                if (parameters.Contains(t) || defs.GetValueOrDefault(t) != 1 || uses.GetValueOrDefault(t) != 1) continue;
                for (int k = j - 1; k >= 0; k--)
                {
                    var i = list[k];
                    if (i.Dest == t)
                    {
                        i.Dest = v;
                        list.RemoveAt(j--);
                        changed = true;
                        break;
                    }
                    // v keeps its old value up to the copy: nothing in between may read or assign it.
                    if (i.Dest == v || Dataflow.Reads(i).Contains(v)) break;
                }
            }
        }
        return changed;
    }
}
