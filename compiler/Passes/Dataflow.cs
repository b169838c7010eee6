using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// What the scalar passes (const-fold, value-numbering, copy-prop, dce) share: which ops are pure, the
/// blocks in reverse postorder, liveness, and the forward "available copies" analysis.
///
/// The IR is not SSA: a register may be assigned in many places (a source variable is one register), so a
/// fact about a register holds only until the register is assigned again, and a fact reaches a block only
/// when it holds at the end of every predecessor. Registers are function-local, so no call, store or packet
/// op can change one: only an instruction whose destination it is.
/// </summary>
internal static class Dataflow
{
    /// <summary>
    /// An op whose result depends on its operands alone: no effect in the op table (so no memory, packet, clock
    /// or fault) and a result. <c>pkt.hoff</c> is one: a handle carries its header offset (the interpreter's
    /// handle is (packet, offset), the chip's the header's address), and encap and decap return new handles
    /// rather than move the one they are given.
    /// </summary>
    public static bool IsPure(Op op)
    {
        var info = op.Info();
        return info.Effects == OpEffects.None && info.HasResult;
    }

    /// <summary>Whether the instruction can be deleted when its result is unused: a pure op, or a division whose
    /// divisor is a nonzero constant (the only fault of div and rem is division by zero).</summary>
    public static bool RemovableIfUnused(Instruction i) =>
        IsPure(i.Op) || (i.Op is Op.Div or Op.Rem && i.Operands[1] is Constant { Bits: not 0 });

    /// <summary>The registers an instruction reads (its destination is not an operand).</summary>
    public static IEnumerable<Register> Reads(Instruction i) => i.Operands.OfType<Register>();

    /// <summary>The blocks reachable from the entry, in reverse postorder (each block after its forward-edge predecessors).</summary>
    public static List<Block> ReversePostorder(IrFunction f)
    {
        var order = new List<Block>();
        var seen = new HashSet<Block> { f.Blocks[0] };
        var stack = new Stack<(Block Block, IEnumerator<Block> Next)>();
        stack.Push((f.Blocks[0], f.Blocks[0].Successors.Distinct().GetEnumerator()));
        while (stack.Count > 0)
        {
            var (block, next) = stack.Peek();
            if (next.MoveNext())
            {
                if (seen.Add(next.Current)) stack.Push((next.Current, next.Current.Successors.Distinct().GetEnumerator()));
            }
            else
            {
                stack.Pop();
                order.Add(block);
            }
        }
        order.Reverse();
        return order;
    }

    /// <summary>The registers live at the entry and at the exit of each block (read before being assigned on some path from there).</summary>
    public static (Dictionary<Block, HashSet<Register>> In, Dictionary<Block, HashSet<Register>> Out) Liveness(IrFunction f)
    {
        var use = new Dictionary<Block, HashSet<Register>>();
        var def = new Dictionary<Block, HashSet<Register>>();
        foreach (var b in f.Blocks)
        {
            var u = new HashSet<Register>();
            var d = new HashSet<Register>();
            foreach (var i in b.Instructions)
            {
                foreach (var r in Reads(i))
                    if (!d.Contains(r)) u.Add(r);
                if (i.Dest is not null) d.Add(i.Dest);
            }
            use[b] = u;
            def[b] = d;
        }
        var liveIn = f.Blocks.ToDictionary(b => b, b => new HashSet<Register>(use[b]));
        var liveOut = f.Blocks.ToDictionary(b => b, _ => new HashSet<Register>());
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int k = f.Blocks.Count - 1; k >= 0; k--)
            {
                var b = f.Blocks[k];
                var o = liveOut[b];
                foreach (var s in b.Successors)
                    foreach (var r in liveIn[s])
                        if (o.Add(r)) changed = true;
                var i = liveIn[b];
                foreach (var r in o)
                    if (!def[b].Contains(r)) i.Add(r);
            }
        }
        return (liveIn, liveOut);
    }

    /// <summary>
    /// Available copies: at each block's entry, the registers known to hold the value of another register or of a
    /// constant (<c>d → s</c> after <c>d = mov s</c>, until d or s is assigned again), on every path from the entry.
    /// <paramref name="track"/> chooses the sources followed (registers for copy-prop, constants for const-fold).
    /// Chains resolve: after <c>%1 = mov %0</c> and <c>%2 = mov %1</c>, %2 holds %0. Blocks not reachable from the
    /// entry get no facts.
    /// </summary>
    public static Dictionary<Block, Dictionary<Register, Value>> AvailableCopies(IrFunction f, Func<Value, bool> track)
    {
        var order = ReversePostorder(f);
        var reachable = order.ToHashSet();
        var preds = SimplifyCfg.Predecessors(f);
        var entryFacts = new Dictionary<Block, Dictionary<Register, Value>?>();
        var exitFacts = new Dictionary<Block, Dictionary<Register, Value>?>();
        foreach (var b in f.Blocks) entryFacts[b] = exitFacts[b] = null;     // null: not computed yet (everything holds)
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var b in order)
            {
                Dictionary<Register, Value>? facts = null;
                if (b == f.Blocks[0]) facts = new();
                else
                    foreach (var p in preds[b].Where(reachable.Contains))
                    {
                        var o = exitFacts[p];
                        if (o is null) continue;
                        if (facts is null) facts = new(o);
                        else
                            foreach (var (r, v) in facts.ToList())
                                if (!o.TryGetValue(r, out var w) || !SameValue(v, w)) facts.Remove(r);
                    }
                if (facts is null) continue;
                entryFacts[b] = new(facts);
                foreach (var i in b.Instructions) Transfer(facts, i, track);
                if (exitFacts[b] is not { } old || !SameFacts(old, facts))
                {
                    exitFacts[b] = facts;
                    changed = true;
                }
            }
        }
        return f.Blocks.ToDictionary(b => b, b => entryFacts[b] ?? new Dictionary<Register, Value>());
    }

    /// <summary>The effect of one instruction on the available copies (it has already been rewritten with them).</summary>
    public static void Transfer(Dictionary<Register, Value> facts, Instruction i, Func<Value, bool> track)
    {
        if (i.Dest is not { } d) return;
        // The source as a rewrite with these facts would leave it, resolved before d changes.
        Value? source = null;
        if (i.Op == Op.Mov)
        {
            source = i.V(0);
            if (source is Register sr && facts.TryGetValue(sr, out var known)) source = known;
        }
        facts.Remove(d);
        foreach (var (r, v) in facts.ToList())
            if (v == d) facts.Remove(r);
        if (source is not null && source != d && track(source)) facts[d] = source;
    }

    public static bool SameValue(Value a, Value b) =>
        a == b || (a is Constant x && b is Constant y && x.Type == y.Type && x.Bits == y.Bits);

    private static bool SameFacts(Dictionary<Register, Value> a, Dictionary<Register, Value> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && SameValue(kv.Value, v));
}
