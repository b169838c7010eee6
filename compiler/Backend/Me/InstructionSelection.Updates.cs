using Baker.Compiler.IR;

namespace Baker.Compiler.Backend.Me;

// Shared updates: a statement that reads a global or PPF state word, combines it with one value and writes
// it back (`counts[i]++`, `bytes += len`, `flags |= m`) is, in the IR, a load, an add/sub/and/or/xor and a
// store to the same place, one after the other, the loaded value and the result used nowhere else. On the
// interpreter packets run one at a time, so such a statement never loses an update; on the chip 8 threads
// per ME run it at once, and two that read before either writes lose one update (the MPLS sample's counters
// lost up to two thirds of theirs under saturation). SRAM's atomic add cannot do it: objects hold the
// interpreter's little-endian image (InstructionSelection.Memory) and SRAM adds big-endian words. So the
// statement runs under a guard: word ((address >> 3) mod 64) of the runtime's guard table, taken with
// test_and_set (retried with ctx_arb[voluntary]) and released with decr once the store has completed. A thread holds one
// guard at a time and nothing else while it does, so guards cannot deadlock; two objects whose addresses
// share a guard only contend. The language leaves unlocked updates to the programmer (baker-language.md
// section 6); the guard makes the chip keep the interpreter's result for the common statement that
// counts, at two SRAM references more (the release does not wait).
public sealed partial class InstructionSelection
{
    /// <summary>Words in the guard table (MemoryMap.Guards): a power of two.</summary>
    public const int GuardWords = 64;

    private Dictionary<Register, int>? _uses;

    /// <summary>How many operands in the function read each register.</summary>
    private Dictionary<Register, int> Uses()
    {
        if (_uses is not null) return _uses;
        _uses = [];
        foreach (var i in _f.Blocks.SelectMany(b => b.Instructions))
            foreach (var r in i.Operands.OfType<Register>())
                _uses[r] = _uses.GetValueOrDefault(r) + 1;
        return _uses;
    }

    /// <summary>Whether instructions k, k + 1 and k + 2 are a shared update (see above).</summary>
    private bool IsSharedUpdate(IReadOnlyList<Instruction> list, int k)
    {
        if (k + 2 >= list.Count) return false;
        var (load, op, store) = (list[k], list[k + 1], list[k + 2]);
        if (load.Op != Op.Load || load.Operands[0] is not ObjectRef { Target.Kind: not StorageKind.Slot } target) return false;
        if (op.Op is not (Op.Add or Op.Sub or Op.And or Op.Or or Op.Xor)) return false;
        if (store.Op != Op.Store || store.Operands[0] is not ObjectRef to || to.Target != target.Target) return false;
        if (!SameValue(store.V(1), load.V(1)) || store.V(2) != op.Dest || store.V(2).Type != load.Dest!.Type) return false;
        if (op.V(0) != load.Dest && op.V(1) != load.Dest) return false;
        var uses = Uses();
        return uses.GetValueOrDefault(load.Dest) == 1 && uses.GetValueOrDefault(op.Dest!) == 1;
    }

    private static bool SameValue(Value a, Value b) =>
        a == b || (a is Constant x && b is Constant y && x.Bits == y.Bits);

    /// <summary>The three instructions of a shared update, under the guard of the address they update.</summary>
    private void SharedUpdate(Instruction load, Instruction op, Instruction store, Block? next)
    {
        var a = Address(load.Operands[0], load.V(1));
        var guard = _m.NewReg();
        Emit(AluShf(guard, MOp.None, "B", MOp.R(AddrReg(a)), ">>3"));
        Emit(Alu(guard, MOp.R(guard), "AND", MOp.I(GuardWords - 1)));
        Emit(AluShf(guard, MOp.T("GUARDS"), "+", MOp.R(guard), "<<2"));
        var at = new Addr(MOp.R(guard), 0);
        var retry = NewLabel();
        var held = NewLabel();
        StartBlock(retry);
        Emit(MovToPhys("$0", MOp.I(1)));
        Sram("test_and_set", "$0", at, 1);
        Emit(Alu(null, MOp.T("$0"), "AND", MOp.I(1)));
        Branch("br_eq", held);
        Emit(new MInstr("ctx_arb", [MOp.T("voluntary")], [], []));
        Jump(retry);
        StartBlock(held);
        Select(load, next);
        Select(op, next);
        Select(store, next);
        // The store has completed (it waits for its signal), so the next holder reads the new value. The guard
        // word is 1 while held: decr releases it with no transfer register and no wait.
        var (x, y) = at.Operands;
        Emit(TwoSources("sram", [MOp.T("decr"), MOp.T("--"), x, y, MOp.I(1)], [], 2, 3));
    }
}
