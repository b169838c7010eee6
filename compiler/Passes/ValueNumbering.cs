using Baker.Compiler.IR;

namespace Baker.Compiler.Passes;

/// <summary>
/// Common subexpressions of pure operations, by value numbering:
/// <code>
///   b0:                                        b0:
///     %1: i32 = pkt.hoff %0                      %1: i32 = pkt.hoff %0
///     %2: u32 = pkt.get %0, %1, 96, 32  ----&gt;    %2: u32 = pkt.get %0, %1, 96, 32
///     %3: i32 = pkt.hoff %0                      %3: i32 = mov %1             (copy-prop then dce remove it)
///     %4: u32 = pkt.get %0, %3, 128, 32          %4: u32 = pkt.get %0, %3, 128, 32
///     bounds %5, 9                               bounds %5, 9
///     bounds %5, 9                               (removed: the first passed, so %5 &lt; 9)
/// </code>
/// Every register gets a value number: equal numbers, equal values. An instruction whose op is pure (arithmetic,
/// comparisons, conversions, min/max, hashes of a value, <c>addr</c>, <c>ptradd</c>, <c>pkt.hoff</c>: see
/// <see cref="Dataflow.IsPure"/>), or <c>div</c>/<c>rem</c> (which fault the same way each time), gets the number of
/// its op, result type and operands' numbers (operands sorted for commutative ops); when a register still holds that
/// number, the instruction becomes a copy of it. <c>mov</c> gives its destination its source's number; anything
/// else (loads, packet and metadata reads, calls, <c>now</c>, ...) a new number: memory and packets are never
/// assumed unchanged, so every load and packet access stays. A <c>bounds</c> check is dropped when the same number
/// passed a check at least as strict.
///
/// Blocks are visited in reverse postorder. A block starts from what holds at the end of all of its predecessors
/// (registers with the same number on every one of them), and from nothing when one of them has not been visited
/// yet (a loop's back edge) or the block is the entry: within a block this is local value numbering, and straight-line
/// code split by branches (an if's arms, the join after them) shares what every path into it computed.
/// </summary>
public static class ValueNumbering
{
    public static void Run(IrFunction f) => new Numbering(f).Run();

    private sealed class State
    {
        /// <summary>The value number each register holds (registers not read or assigned yet have none).</summary>
        public Dictionary<Register, int> Numbers = new();
        /// <summary>Value numbers known to be below a bound (a bounds check of that number passed), with the bound.</summary>
        public Dictionary<int, long> Checked = new();
        /// <summary>Registers assigned since the last call on every path here (see <see cref="Cheap"/>).</summary>
        public HashSet<Register> SinceCall = new();

        public State Clone() => new() { Numbers = new(Numbers), Checked = new(Checked), SinceCall = new(SinceCall) };
    }

    private sealed class Numbering(IrFunction f)
    {
        private int _next;
        private readonly Dictionary<(IrType, ulong), int> _constants = new();
        private readonly Dictionary<string, int> _expressions = new();
        private readonly Dictionary<object, int> _objects = new(ReferenceEqualityComparer.Instance);

        public void Run()
        {
            var order = Dataflow.ReversePostorder(f);
            var preds = SimplifyCfg.Predecessors(f);
            var exits = new Dictionary<Block, State>();
            foreach (var block in order)
            {
                var state = Entry(block, block == f.Blocks[0] ? [] : preds[block], exits);
                var list = block.Instructions;
                for (int k = 0; k < list.Count; k++)
                    if (Visit(list[k], state) is false) list.RemoveAt(k--);
                exits[block] = state;
            }
        }

        private static State Entry(Block block, List<Block> preds, Dictionary<Block, State> exits)
        {
            if (preds.Count == 0 || preds.Any(p => !exits.ContainsKey(p))) return new State();
            var state = exits[preds[0]].Clone();
            foreach (var p in preds.Skip(1))
            {
                var other = exits[p];
                foreach (var (r, n) in state.Numbers.ToList())
                    if (!other.Numbers.TryGetValue(r, out var m) || m != n) state.Numbers.Remove(r);
                foreach (var (n, bound) in state.Checked.ToList())
                {
                    if (!other.Checked.TryGetValue(n, out var b)) state.Checked.Remove(n);
                    else state.Checked[n] = Math.Max(bound, b);
                }
                state.SinceCall.IntersectWith(other.SinceCall);
            }
            return state;
        }

        /// <summary>Numbers one instruction (rewriting it when a register already holds its value); false when it is to be removed.</summary>
        private bool Visit(Instruction i, State s)
        {
            if (i.Op == Op.Bounds)
            {
                int n = Number(i.V(0), s);
                long bound = ((IntImm)i.Operands[1]).Value;
                if (s.Checked.TryGetValue(n, out var passed) && passed <= bound) return false;
                s.Checked[n] = bound;
                return true;
            }
            if (i.Op == Op.Call) s.SinceCall.Clear();
            if (i.Dest is not { } d) return true;
            if (i.Op == Op.Mov)
            {
                Assign(d, Number(i.V(0), s), s);
                return true;
            }
            if (!(Dataflow.IsPure(i.Op) || i.Op is Op.Div or Op.Rem))
            {
                Assign(d, _next++, s);
                return true;
            }
            var key = Key(i, s);
            if (_expressions.TryGetValue(key, out var known))
            {
                // d already holds it (and, for a cheap op, was assigned since the last call: see Cheap).
                if (s.Numbers.TryGetValue(d, out var held) && held == known && (!Cheap(i) || s.SinceCall.Contains(d))) return false;
                if (Holder(known, s, Cheap(i)) is { } h)
                {
                    i.Op = Op.Mov;
                    i.Operands = [h];
                    Assign(d, known, s);
                    return true;
                }
            }
            else _expressions[key] = known = _next++;
            Assign(d, known, s);
            return true;
        }

        private static void Assign(Register d, int n, State s)
        {
            s.Numbers[d] = n;
            s.SinceCall.Add(d);
        }

        /// <summary>A register that holds value number <paramref name="n"/>; for a cheap op, only one assigned since the last call.</summary>
        private static Register? Holder(int n, State s, bool cheap)
        {
            foreach (var (r, m) in s.Numbers)
                if (m == n && (!cheap || s.SinceCall.Contains(r))) return r;
            return null;
        }

        /// <summary>
        /// Ops the microengines compute in one or two instructions from their operands. Every register is caller-saved
        /// there: a value kept across a call takes a frame word, a store and a reload per use, and the frame has 16
        /// words. So a cheap value computed before a call is computed again after it rather than kept (its operands
        /// are at hand either way); an expensive one (multiplication, division, hashes, comparisons) is kept.
        /// </summary>
        private static bool Cheap(Instruction i) => i.Op switch
        {
            Op.Conv => i.Dest!.Type != IrType.Bool,
            Op.Add or Op.Sub or Op.And or Op.Or or Op.Xor or Op.Shl or Op.Shr => i.Operands[1] is Constant || i.Operands[0] is Constant,
            Op.Not or Op.Neg or Op.PktOffset or Op.Addr or Op.PtrAdd => true,
            _ => false,
        };

        private int Number(Value v, State s)
        {
            if (v is Constant c)
            {
                if (!_constants.TryGetValue((c.Type, c.Bits), out var k)) _constants[(c.Type, c.Bits)] = k = _next++;
                return k;
            }
            var r = (Register)v;
            if (!s.Numbers.TryGetValue(r, out var n)) s.Numbers[r] = n = _next++;
            return n;
        }

        private static readonly Op[] Commutative = [Op.Add, Op.Mul, Op.And, Op.Or, Op.Xor, Op.Eq, Op.Ne, Op.Min, Op.Max];

        /// <summary>The expression an instruction computes: op, result type and operands (by number).</summary>
        private string Key(Instruction i, State s)
        {
            var parts = new List<string>();
            foreach (var o in i.Operands)
                parts.Add(o switch
                {
                    Value v => "v" + Number(v, s),
                    ObjectRef r => "o" + ObjectNumber(r.Target),
                    IntImm n => "i" + n.Value,
                    _ => throw new InvalidOperationException($"unexpected operand in a pure op ({i.Info.Name})"),
                });
            if (Commutative.Contains(i.Op)) parts.Sort(StringComparer.Ordinal);
            return $"{i.Info.Name}:{i.Dest!.Type.Name()}:{string.Join(',', parts)}";
        }

        private int ObjectNumber(StorageObject o)
        {
            if (!_objects.TryGetValue(o, out var n)) _objects[o] = n = _next++;
            return n;
        }
    }
}
